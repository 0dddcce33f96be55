"""The queries about closed deals read closed_deals_in_scope.sql or
closed_deal_competitors_in_scope.sql (issue 18): two branches, so a view with no filter skips
deal_in_scope's subqueries (9-10 ms CPU per query at 1M deals). Each must give exactly the rows
of its previous text (tests/core/previous_queries, deal_in_scope alone; EXCEPT ALL both ways)
for the default view and filtered ones, on hand-made rows (whose figures
test_queries_golden.py and tests/analytics/competitors work out by hand) and the sample.
deal_summary reads it too: tests/core/test_deal_summary_identity.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dashboard.core import queries
from dashboard.core.filters import Filters, Scope
from tests.analytics.competitors.test_competitors import load_competitor_company
from tests.core.test_teams import teams  # noqa: F401
from tests.golden_data import load_golden

PREVIOUS = Path(__file__).parent / "previous_queries"
REWRITTEN = (
    "closed_deals_by_month",
    "competitor_totals",
    "competitor_summary",
    "competitor_loss_reasons",
    "competitor_by_segment",
    "competitor_by_quarter",
)


def except_all_both_ways(cur, name: str, params: dict) -> tuple[int, int, int]:
    """(rows, rows only before, rows only now) of the previous text against the query."""
    params = {k: v for k, v in params.items() if k in queries.parameters(name)}
    before = cur.execute((PREVIOUS / f"{name}.sql").read_text(encoding="utf-8"), params).df()
    now = queries.run(cur, name, params)
    assert list(now.columns) == list(before.columns)
    assert now.dtypes.astype(str).tolist() == before.dtypes.astype(str).tolist()
    cur.register("before_rows", before)
    cur.register("now_rows", now)
    only_before = cur.execute("select count(*) from (from before_rows except all from now_rows)")
    only_before = only_before.fetchone()[0]
    only_now = cur.execute("select count(*) from (from now_rows except all from before_rows)")
    return len(before), only_before, only_now.fetchone()[0]


def views(start: date, end: date, owner: str) -> list[Filters]:
    period = dict(start_date=start, end_date=end)
    return [
        Filters(**period),
        Filters(),  # all time
        Filters(start_date=start),
        Filters(**period, segments=("SMB",)),
        Filters(**period, regions=("EMEA",)),
        Filters(**period, owners=(owner,)),
        Filters(**period, scope=Scope(segments=("SMB",))),
        Filters(**period, scope=Scope(segments=())),  # granted nothing
    ]


def check(cur, name: str, view: Filters) -> int:
    rows, only_before, only_now = except_all_both_ways(cur, name, view.params())
    assert (only_before, only_now) == (0, 0), (name, view)
    return rows


@pytest.mark.parametrize("name", REWRITTEN)
def test_same_rows_on_the_hand_made_deals(con, name):
    load_golden(con)
    load_competitor_company(con)  # both companies: more owners, segments and competitors
    found = [check(con, name, v) for v in views(date(2025, 1, 1), date(2025, 3, 31), "Ann")]
    assert found[0] > 0


@pytest.mark.parametrize("name", REWRITTEN)
def test_same_rows_for_a_team(teams, name):  # noqa: F811
    for view in (Filters(teams=("East",)), Filters(scope=Scope(teams=("East",)))):
        check(teams, name, view)


@pytest.mark.parametrize("name", REWRITTEN)
def test_same_rows_on_the_sample(sample_con, name):
    cur = sample_con.cursor()
    owner = cur.execute("select min(owner) from deals").fetchone()[0]
    last = cur.execute("select cast(max(closed_at) as date) from deals").fetchone()[0]
    found = [check(cur, name, v) for v in views(date(last.year - 1, last.month, 1), last, owner)]
    assert found[0] > 0


def _ids(frame, columns: str) -> list[tuple]:
    return sorted(
        tuple(None if v != v or v is None else v for v in row)  # NaN/None -> None
        for row in frame[columns.split()].itertuples(index=False)
    )


def test_closed_deals_in_scope_by_hand(con):
    """tests/golden_data.py: closed in Q1 2025 D1 (31 Jan), D2 (10 Feb), D3 (3 Mar); D5 closed
    in April, D6 in 2024, D7 has no close date. All time: every closed deal, D7 included (no
    period, no date needed). Granted SMB = account A2: D3 in Q1; D3 and D6 all time."""
    load_golden(con)
    q1 = Filters(date(2025, 1, 1), date(2025, 3, 31))
    assert _ids(queries.run(con, "closed_deals_in_scope", q1.params()), "deal_id") == [
        ("D1",),
        ("D2",),
        ("D3",),
    ]
    everyone = _ids(queries.run(con, "closed_deals_in_scope", Filters().params()), "deal_id")
    assert everyone == [("D1",), ("D2",), ("D3",), ("D5",), ("D6",), ("D7",)]
    smb = Scope(segments=("SMB",))
    smb_q1 = Filters(date(2025, 1, 1), date(2025, 3, 31), scope=smb)
    assert _ids(queries.run(con, "closed_deals_in_scope", smb_q1.params()), "deal_id") == [("D3",)]
    assert _ids(
        queries.run(con, "closed_deals_in_scope", Filters(scope=smb).params()), "deal_id"
    ) == [("D3",), ("D6",)]


def test_closed_deal_competitors_in_scope_by_hand(con):
    """tests/analytics/competitors' company, closed in Q1 2025: D1 (Acme; Beta), D2 (Acme,
    Gamma), D3 (Acme), D4 (none), D6 (' ; ' names nobody), D7 (Beta;Delta), D11 (Beta): one
    row per (deal, competitor), a deal naming none once with no competitor. Granted SMB
    (accounts A1, A3): D1, D2, D6, D7; D11's account Z9 is in no segment."""
    load_competitor_company(con)
    q1 = Filters(date(2025, 1, 1), date(2025, 3, 31))
    got = _ids(
        queries.run(con, "closed_deal_competitors_in_scope", q1.params()), "deal_id competitor"
    )
    assert got == sorted(
        [("D1", "Acme"), ("D1", "Beta"), ("D2", "Acme"), ("D2", "Gamma"), ("D3", "Acme"),
         ("D4", None), ("D6", None), ("D7", "Beta"), ("D7", "Delta"), ("D11", "Beta")],
        key=lambda r: (r[0], r[1] or ""),
    )  # fmt: skip
    smb = Filters(date(2025, 1, 1), date(2025, 3, 31), scope=Scope(segments=("SMB",)))
    got = _ids(
        queries.run(con, "closed_deal_competitors_in_scope", smb.params()), "deal_id competitor"
    )
    assert [d for d, _ in got] == ["D1", "D1", "D2", "D2", "D6", "D7", "D7"]
