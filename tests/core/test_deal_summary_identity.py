"""deal_summary.sql counts every deal figure of the overview in one pass over the deals in scope
(issue 18: it scanned them four times, and deal_input_coverage.sql scanned them again for the
input counts). Its row must be exactly what the two previous queries gave together (kept in
tests/core/previous_queries), on the hand-made rows and on the sample, for the default view
and filtered ones; the golden counts are worked out by hand in tests/core/test_queries_golden.py
(test_deal_summary_in_period) and test_needs.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dashboard.core import queries
from dashboard.core.filters import Filters, Scope
from tests.core.test_teams import teams  # noqa: F401
from tests.golden_data import load_golden

PREVIOUS = Path(__file__).parent / "previous_queries"


def previous_row(cur, params: dict) -> dict:
    """deal_summary's and deal_input_coverage's rows as they were, side by side."""
    out = {}
    for name in ("deal_summary", "deal_input_coverage"):
        sql = (PREVIOUS / f"{name}.sql").read_text(encoding="utf-8")
        frame = cur.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql}).df()
        out.update(frame.to_dict("records")[0])
    return out


def except_all_both_ways(cur, params: dict) -> tuple[int, int]:
    """(rows only before, rows only now): the previous queries' row against deal_summary's."""
    now = queries.run(cur, "deal_summary", params)
    before = now.iloc[:0].copy()
    before.loc[0] = [previous_row(cur, params)[c] for c in now.columns]
    before = before.astype(now.dtypes)
    cur.register("before_rows", before)
    cur.register("now_rows", now)
    only_before = cur.execute("select count(*) from (from before_rows except all from now_rows)")
    only_before = only_before.fetchone()[0]
    only_now = cur.execute("select count(*) from (from now_rows except all from before_rows)")
    return only_before, only_now.fetchone()[0]


Q1 = (date(2025, 1, 1), date(2025, 3, 31))


def views(owner: str, segment: str, region: str, team: str | None = None) -> list[Filters]:
    period = dict(start_date=Q1[0], end_date=Q1[1])
    out = [
        Filters(),  # all time
        Filters(**period),
        Filters(**period, segments=(segment,)),
        Filters(**period, regions=(region,)),
        Filters(**period, owners=(owner,)),
        Filters(start_date=Q1[0]),  # open-ended
        Filters(end_date=Q1[1]),
        Filters(**period, scope=Scope(segments=())),  # granted nothing
    ]
    if team:
        out.append(Filters(**period, teams=(team,)))
    return out


def test_one_row_equals_the_two_previous_queries_on_hand_made_rows(con):
    load_golden(con)
    for view in views("Ann", "SMB", "EMEA"):
        assert except_all_both_ways(con, view.params()) == (0, 0), view


def test_one_row_equals_the_two_previous_queries_for_a_team(teams):  # noqa: F811
    """tests/core/test_teams.py's owners table: team East, also granted East only."""
    for view in (Filters(teams=("East",)), Filters(scope=Scope(teams=("East",)))):
        assert except_all_both_ways(teams, view.params()) == (0, 0), view


@pytest.mark.parametrize("index", range(8))
def test_one_row_equals_the_two_previous_queries_on_the_sample(sample_con, index):
    cur = sample_con.cursor()
    owner = cur.execute("select min(owner) from deals").fetchone()[0]
    last = cur.execute("select cast(max(closed_at) as date) from deals").fetchone()[0]
    start = date(last.year - 1, last.month, 1)
    view = views(owner, "SMB", "EMEA")[index]
    if view.start_date == Q1[0] or view.end_date == Q1[1]:  # the sample's last 12 months
        view = Filters(
            start_date=start if view.start_date else None,
            end_date=last if view.end_date else None,
            segments=view.segments,
            regions=view.regions,
            owners=view.owners,
            teams=view.teams,
            scope=view.scope,
        )
    assert except_all_both_ways(cur, view.params()) == (0, 0), view
