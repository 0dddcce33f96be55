"""queries/health_totals_all.sql: the health totals of everyone's data over dated windows, read
from per-day summaries, must be exactly health_totals' rows (EXCEPT ALL both ways) for every
dated window shape, on the hand-made rows of test_health_summaries.py and on the sample; and a
few rows worked out by hand show the distinct counts (channels, 2+ departments, retention)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from dashboard.analytics.health import metrics
from dashboard.core import queries
from dashboard.core.filters import NOTHING, Filters, Scope
from dashboard.store import warehouse
from tests.analytics.health.test_health_summaries import hand_made, window_cases  # noqa: F401
from tests.conftest import frame
from tests.core.test_teams import teams  # noqa: F401

# The window shapes health_totals_all serves: both dates, everyone's data or a scope (a
# segment filter through a grant, an owner, nothing granted, an owner's trend).
DATED = (
    "period", "previous", "not aligned", "one day", "trend 365", "trend 90", "trend 47",
    "segment", "owner", "denied", "trend owner",
)  # fmt: skip


def except_all_both_ways(cur, params: dict) -> tuple[int, int, int]:
    """(rows, rows only before, rows only now) of health_totals against health_totals_all."""
    before = queries.run(cur, "health_totals", params)
    now = queries.run(
        cur, "health_totals_all", {k: params[k] for k in queries.parameters("health_totals_all")}
    )
    cur.register("before_rows", before)
    cur.register("now_rows", now)
    only_before = warehouse.scalar(
        cur, "select count(*) from (from before_rows except all from now_rows)"
    )
    only_now = warehouse.scalar(
        cur, "select count(*) from (from now_rows except all from before_rows)"
    )
    assert list(now.columns) == list(before.columns)
    assert now.dtypes.astype(str).tolist() == before.dtypes.astype(str).tolist()
    return len(before), only_before, only_now


@pytest.mark.parametrize("label", DATED)
def test_same_totals_on_hand_made_rows(hand_made, label):  # noqa: F811
    params = window_cases(date(2025, 4, 30), "Bob", "SMB")[label]
    rows, only_before, only_now = except_all_both_ways(hand_made.cursor(), params)
    assert (rows > 0 or label == "denied") and only_before == 0 and only_now == 0


@pytest.mark.parametrize("label", DATED)
def test_same_totals_on_the_sample(sample_con, label):
    cur = sample_con.cursor()
    last = warehouse.scalar(cur, "select cast(max(closed_at) as date) from deals")
    params = window_cases(last, "Avery Brooks", "SMB")[label]
    rows, only_before, only_now = except_all_both_ways(cur, params)
    assert (rows > 0 or label == "denied") and only_before == 0 and only_now == 0


def test_distinct_counts_worked_out_by_hand(con):
    """B1: email/sales 1 Jan, call/service 15 Mar; orders 1 Jun 2024 (P1) and 1 Mar 2025 (P2).
    B2: email/sales 1 and 2 Feb. Windows of 90 days ending 31 Mar, 30 Apr, 30 Jun 2025:
    - 1 Jan-31 Mar: 4 touches; both active; channels B1 2 + B2 1 = 3; B1 has two departments;
      B1 bought before 1 Jan and again on 1 Mar: retained.
    - 31 Jan-30 Apr: 3 touches (B1's call, B2's two); channels 1 + 1 = 2; one department
      each; B1 retained (1 Mar).
    - 2 Apr-30 Jun: no touch; nobody active or retained; both still touched in the 365 days
      (quality 2) and B1 a customer with two products."""
    accounts = frame(
        "account_id account_name segment industry region owner",
        [("B1", "One", "SMB", "Tech", "EMEA", "Ann"), ("B2", "Two", "SMB", "Tech", "EMEA", "Ann")],
    )
    touches = frame(
        "activity_id account_id type department occurred_at is_personalized",
        [("T1", "B1", "email", "sales", "2025-01-01 10:00", True),
         ("T2", "B1", "call", "service", "2025-03-15 10:00", None),
         ("T3", "B2", "email", "sales", "2025-02-01 10:00", False),
         ("T4", "B2", "email", "sales", "2025-02-02 10:00", False)],
    )  # fmt: skip
    orders = frame(
        "order_id account_id ordered_at amount product",
        [("O1", "B1", "2024-06-01", 10, "P1"), ("O2", "B1", "2025-03-01", 10, "P2")],
    )
    warehouse.load_frames(
        con, {"accounts": accounts, "activities": touches, "orders": orders}, source="test"
    )
    params = {
        "start_date": date(2025, 4, 2),
        "end_date": date(2025, 6, 30),
        "window_ends": [date(2025, 3, 31), date(2025, 4, 30), date(2025, 6, 30)],
        "window_days": 90,
        **{key: None for key in ("segments", "regions", "owners", "teams")},  # everyone's
    }
    rows = queries.run(con.cursor(), "health_totals_all", params)
    expected = {
        "touches": [4, 3, 0],
        "is_active": [2, 2, 0],
        "channels": [3, 2, 0],
        "is_touched_90d": [2, 2, 0],
        "is_multi_department_90d": [1, 0, 0],
        "is_quality": [2, 2, 2],
        "is_customer_before": [1, 1, 1],
        "is_retained": [1, 1, 0],
        "is_customer": [1, 1, 1],
        "is_multi_product": [1, 1, 1],
    }
    assert {column: rows[column].tolist() for column in expected} == expected
    assert except_all_both_ways(con.cursor(), {**Filters().params(), **params})[1:] == (0, 0)


def test_dated_windows_read_the_day_summaries_filtered_or_not():
    dated = Filters(date(2025, 1, 1), date(2025, 12, 31))
    trend = {"window_ends": [date(2025, 12, 31)], "window_days": 365}
    one = {"window_ends": None, "window_days": None}
    assert metrics._totals_query({**dated.params(), **one}) == "health_totals_all"
    assert metrics._totals_query({**Filters().params(), **trend}) == "health_totals_all"
    assert metrics._totals_query({**Filters().params(), **one}) == "health_totals"
    assert metrics._totals_query({**Filters(None, date(2025, 1, 1)).params(), **one}) == (
        "health_totals"
    )
    for narrowed in (
        Filters(date(2025, 1, 1), date(2025, 12, 31), segments=("SMB",)),
        Filters(date(2025, 1, 1), date(2025, 12, 31), owners=("Ann",)),
        Filters(date(2025, 1, 1), date(2025, 12, 31), teams=("East",)),
    ):
        assert metrics._totals_query({**narrowed.params(), **trend}) == "health_totals_all"
        assert metrics._totals_query({**narrowed.params(), **one}) == "health_totals_all"
    assert metrics._totals_query({**Filters(segments=("SMB",)).params(), **one}) == (
        "health_totals"
    )


def test_scoped_totals_worked_out_by_hand(con):
    """B1 is loaded twice (SMB and Enterprise, both complete, owner Ann); B2 is SMB, owner Bob.
    Touches 1 Mar (B1) and 2 Mar 2025 (B2); deals on B1 closed in March: D1 won by Ann, D2 lost
    by Bob. Period 1 Jan-31 Mar 2025:
    - everyone: 2 accounts; quality 1 (B2: B1 is loaded twice); 2 touches; D1 won, D2 lost.
    - segment SMB: B1 by its SMB copy alone (one copy in scope, complete: quality) and B2:
      quality 2; 2 touches; won 1, lost 1.
    - owner Ann: B1 only (both copies in scope: not quality); its touch; deals by Ann only:
      won 1, lost 0 (D2 is Bob's).
    - nothing granted: no row."""
    accounts = frame(
        "account_id account_name segment industry region owner",
        [("B1", "One", "SMB", "Tech", "EMEA", "Ann"),
         ("B1", "One", "Enterprise", "Tech", "EMEA", "Ann"),
         ("B2", "Two", "SMB", "Tech", "EMEA", "Bob")],
    )  # fmt: skip
    touches = frame(
        "activity_id account_id type department occurred_at is_personalized",
        [("T1", "B1", "email", "sales", "2025-03-01 10:00", True),
         ("T2", "B2", "call", "sales", "2025-03-02 10:00", False)],
    )  # fmt: skip
    deals = frame(
        "deal_id account_id owner status amount created_at closed_at source competitor product",
        [("D1", "B1", "Ann", "won", 10, "2025-01-05", "2025-03-10", "Web", None, "P1"),
         ("D2", "B1", "Bob", "lost", 10, "2025-01-06", "2025-03-11", "Web", None, "P1")],
    )  # fmt: skip
    warehouse.load_frames(
        con, {"accounts": accounts, "activities": touches, "deals": deals}, source="test"
    )
    period = Filters(date(2025, 1, 1), date(2025, 3, 31))
    one = {"window_ends": None, "window_days": None}
    columns = ["accounts", "is_quality", "touches", "is_active", "deals_won", "deals_lost"]
    expected = {
        "everyone": (period, [2, 1, 2, 2, 1, 1]),
        "SMB": (
            Filters(date(2025, 1, 1), date(2025, 3, 31), segments=("SMB",)),
            [2, 2, 2, 2, 1, 1],
        ),
        "Ann": (Filters(date(2025, 1, 1), date(2025, 3, 31), owners=("Ann",)), [1, 0, 1, 1, 1, 0]),
    }
    for label, (filters, values) in expected.items():
        params = {**filters.params(), **one}
        rows = queries.run(
            con.cursor(), "health_totals_all",
            {k: params[k] for k in queries.parameters("health_totals_all")},
        )  # fmt: skip
        assert rows[columns].iloc[0].tolist() == values, label
        assert except_all_both_ways(con.cursor(), params)[1:] == (0, 0), label
    denied = {**period.within(NOTHING).params(), **one}
    assert queries.run(
        con.cursor(), "health_totals_all",
        {k: denied[k] for k in queries.parameters("health_totals_all")},
    ).empty  # fmt: skip


def test_team_totals_worked_out_by_hand(teams):  # noqa: F811
    """tests/core/test_teams.py's rows, 2025, team East (Ann, Cy):
    - accounts whose owner is East: A1 (Ann) only (A2 is Bob's, A3 Zed's): 1 account;
    - its touches T1 (email) and T2 (call): 2 touches, 2 channels, active;
    - deals of East owners on A1: D1 (Ann, won 11 Jan); D3 is Bob's deal (not East), D2
      Ann's deal on Bob's account (not in scope): 1 won, 1 created (D1, 1 Jan);
    - its answer S1 (NPS 10): 1 response, 1 promoter.
    West (Bob): A2 with T3, D5 (won 1 Mar), S2 (NPS 0): 1 account, 1 touch, 1 won, 1 detractor."""
    east = Filters(date(2025, 1, 1), date(2025, 12, 31), teams=("East",))
    west = Filters(date(2025, 1, 1), date(2025, 12, 31), teams=("West",))
    one = {"window_ends": None, "window_days": None}
    columns = ["accounts", "touches", "channels", "is_active", "deals_won", "deals_created",
               "nps_responses", "nps_promoters", "nps_detractors"]  # fmt: skip
    got = {
        team: queries.run(teams.cursor(), "health_totals_all", {**f.params(), **one})[columns]
        .iloc[0]
        .tolist()
        for team, f in (("East", east), ("West", west))
    }
    assert got == {"East": [1, 2, 2, 1, 1, 1, 1, 1, 0], "West": [1, 1, 1, 1, 1, 1, 1, 0, 1]}
    for f in (east, west):
        assert except_all_both_ways(teams.cursor(), {**f.params(), **one})[1:] == (0, 0)


@pytest.mark.parametrize(
    "narrowed",
    [
        Filters(regions=("EMEA",)),
        Filters(segments=("SMB",), owners=("Avery Brooks",)),
        Filters().within(Scope(segments=("Enterprise",))),
        Filters(segments=("SMB",)).within(Scope(segments=("Enterprise",))),  # nothing left
    ],
)
def test_same_totals_filtered_on_the_sample(sample_con, narrowed):
    """A region, a segment with an owner, a grant and a grant that leaves nothing, over a
    12-window trend: every row the same as health_totals (nothing outside the grant; no rows
    when none of it is left)."""
    cur = sample_con.cursor()
    last = warehouse.scalar(cur, "select cast(max(closed_at) as date) from deals")
    ends = [date(last.year - 1, 12, 31), date(last.year, 1, 31), last]
    params = {
        **replace(narrowed, start_date=date(last.year, 1, 1), end_date=last).params(),
        "window_ends": ends,
        "window_days": 365,
    }
    rows, only_before, only_now = except_all_both_ways(cur, params)
    assert only_before == 0 and only_now == 0
    assert (rows > 0) == (params["segments"] != [])
