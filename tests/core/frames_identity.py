"""Old query text against new: the rows only in one frame and only in the other (EXCEPT ALL
both ways, so a duplicated or a missing row counts), for the identity tests of rewritten
queries."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.core.filters import Filters, Scope


def except_all_both_ways(cur, before: pd.DataFrame, now: pd.DataFrame) -> tuple[int, int]:
    """(rows only before, rows only now); `before` is cast to `now`'s columns and types."""
    cur.register("before_rows", before[now.columns].astype(now.dtypes))
    cur.register("now_rows", now)
    only_before = cur.execute("select count(*) from (from before_rows except all from now_rows)")
    only_before = only_before.fetchone()[0]
    only_now = cur.execute("select count(*) from (from now_rows except all from before_rows)")
    return only_before, only_now.fetchone()[0]


def views(start: date, end: date, owner: str, segment: str, region: str) -> list[Filters]:
    """The views a rewritten page query is checked on: all time, open-ended, the period alone,
    filtered, granted nothing or one region, starting inside a month, and a short period whose
    window edges fall in one month."""
    period = dict(start_date=start, end_date=end)
    return [
        Filters(),
        Filters(start_date=start),
        Filters(**period),
        Filters(**period, segments=(segment,)),
        Filters(**period, regions=(region,)),
        Filters(**period, owners=(owner,)),
        Filters(**period, scope=Scope(segments=())),
        Filters(**period, scope=Scope(regions=(region,))),
        Filters(start + (end - start) / 3, end),
        Filters(start, start + (end - start) / 40),
    ]


def sample_views(cur, last_day_sql: str) -> list[Filters]:
    """views() on the sample: its first account owner, SMB, EMEA, over the last 12 whole
    months before the day `last_day_sql` (a scalar SELECT written in the test) returns."""
    owner = cur.execute("select min(owner) from accounts").fetchone()[0]
    last = cur.execute(last_day_sql).fetchone()[0]
    start = date(last.year - 1, last.month, 1)  # the sidebar's last 12 months
    end = date(last.year, last.month, 1) - date.resolution
    return views(start, end, owner, "SMB", "EMEA")
