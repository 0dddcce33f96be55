"""The Team filter (product.md, `owners`): deals whose owner is in the team, accounts whose owner
is (with the rows keyed by those accounts), a team grant that never shows another team's rows,
and the teams the sidebar offers.

Each test fails without the feature: drop owner_in_teams from a scope macro and the golden
counts become everyone's; drop $teams from Filters.params() and every query refuses its
parameters; drop the team test from filter_options and no team is offered.
"""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.core import coverage, measures, queries
from dashboard.core.filters import Filters, Scope
from dashboard.store import warehouse
from tests.conftest import frame
from tests.core import test_access_scope as scope_tests

# Owners: Ann and Cy are East, Bob is West; Zed owns an account but has no row (in no team).
OWNERS = frame(
    "owner team manager",
    [("Ann", "East", "Eve"), ("Cy", "East", "Eve"), ("Bob", "West", "Wes")],
)
ACCOUNTS = frame(
    "account_id account_name segment region owner",
    [
        ("A1", "Alpha", "SMB", "EMEA", "Ann"),
        ("A2", "Beta", "Enterprise", "EMEA", "Bob"),
        ("A3", "Gamma", "SMB", "APAC", "Zed"),
    ],
)
DEALS = frame(
    "deal_id account_id owner status amount created_at closed_at",
    [
        ("D1", "A1", "Ann", "won", 100, "2025-01-01", "2025-01-11"),
        ("D2", "A2", "Ann", "lost", 40, "2025-01-01", "2025-02-01"),  # Ann's deal, Bob's account
        ("D3", "A1", "Bob", "won", 50, "2025-01-01", "2025-01-31"),  # Bob's deal, Ann's account
        ("D4", "A3", "Cy", "open", 30, "2025-01-05", None),
        ("D5", "A2", "Bob", "won", 70, "2025-01-01", "2025-03-01"),
        ("D6", "A3", "Zed", "won", 20, "2025-01-01", "2025-01-21"),  # Zed: in no team
    ],
)
SURVEYS = frame(
    "response_id account_id responded_at survey_type score",
    [
        ("S1", "A1", "2025-02-01", "nps", 10),
        ("S2", "A2", "2025-02-01", "nps", 0),
        ("S3", "A3", "2025-02-01", "nps", 9),
    ],
)
ACTIVITIES = frame(
    "activity_id account_id type occurred_at owner",
    [
        ("T1", "A1", "email", "2025-02-01", "Ann"),
        ("T2", "A1", "call", "2025-02-02", "Ann"),
        ("T3", "A2", "email", "2025-02-03", "Bob"),
        ("T4", "A3", "email", "2025-02-04", "Zed"),
    ],
)
EAST = Filters(teams=("East",))


@pytest.fixture
def teams(con):
    warehouse.load_frames(
        con,
        {"accounts": ACCOUNTS, "deals": DEALS, "surveys": SURVEYS, "activities": ACTIVITIES},
        source="test",
    )
    warehouse.load_frames(con, {"owners": OWNERS}, source="test")
    return con


def test_kpis_for_team_east_equal_the_hand_count(teams):
    # Deals of East's owners (Ann, Cy): D1 won 100 (10 days), D2 lost, D4 open 30.
    # Not D3 (Bob's deal on Ann's account), D5 (Bob), D6 (Zed, in no team).
    # Accounts East owns: A1 (Ann). Customers = accounts in scope with a won deal: A1 (D1, D3).
    # Survey answers of A1: S1 = 10, a promoter: NPS 100 on 1 response.
    got = measures.kpis(teams, EAST)
    assert {k: got[k] for k in ("deals_total", "deals_won", "deals_lost", "deals_open")} == {
        "deals_total": 3,
        "deals_won": 1,
        "deals_lost": 1,
        "deals_open": 1,
    }
    assert got["win_rate"] == 0.5  # 1 / (1 + 1)
    assert got["won_amount"] == 100.0
    assert got["pipeline_open_amount"] == 30.0
    assert got["median_sales_cycle_days"] == 10
    assert got["customers_total"] == 1
    assert (got["nps"], got["nps_responses"]) == (100.0, 1)
    # West (Bob): D3 won 50 (30 days), D5 won 70 (59 days); account A2, customer A2 (D5).
    west = measures.kpis(teams, Filters(teams=("West",)))
    assert (west["deals_total"], west["won_amount"], west["customers_total"]) == (2, 120.0, 1)
    # Both teams: every deal but Zed's D6; no team chosen: all six.
    both = measures.kpis(teams, Filters(teams=("East", "West")))
    assert both["deals_total"] == 5
    assert measures.kpis(teams, Filters())["deals_total"] == 6


def test_a_team_joins_the_other_filters(teams):
    # East and segment Enterprise: East's deals (D1 A1 SMB, D2 A2 Enterprise, D4 A3 SMB) on
    # Enterprise accounts: D2 alone. East and owner Cy: D4.
    assert (
        measures.kpis(teams, Filters(segments=("Enterprise",), teams=("East",)))["deals_total"] == 1
    )
    assert measures.kpis(teams, Filters(owners=("Cy",), teams=("East",)))["deals_total"] == 1
    assert measures.kpis(teams, Filters(owners=("Bob",), teams=("East",)))["deals_total"] == 0


def test_health_keeps_the_accounts_east_owns_with_their_activities(teams):
    # Accounts whose owner is East: A1 (Ann) with its touches T1, T2; not A2 (Bob) nor A3 (Zed).
    params = {**EAST.params(), "window_ends": None, "window_days": None}
    rows = queries.run(teams, "health_accounts", params)
    assert rows["account_id"].tolist() == ["A1"]
    assert rows["touches"].tolist() == [2]


def test_the_sidebar_offers_the_teams_of_the_owners_table(teams, con):
    assert coverage.filter_values(teams)["team"] == ["East", "West"]
    # a manager granted East is offered East only
    assert coverage.filter_values(teams, Filters().within(Scope(teams=("East",))))["team"] == [
        "East"
    ]


def test_no_team_is_offered_without_an_owners_table(con):
    warehouse.load_frames(con, {"accounts": ACCOUNTS, "deals": DEALS}, source="test")
    assert "team" not in coverage.filter_values(con)


def test_an_undone_teams_load_takes_its_teams_away(teams):
    load = int(warehouse.scalar(teams, "select max(load_id) from loads"))
    assert measures.kpis(teams, EAST)["deals_total"] == 3
    warehouse.undo_load(teams, load)
    assert warehouse.scalar(teams, "select count(*) from owners") == 0
    assert "team" not in coverage.filter_values(teams)
    assert measures.kpis(teams, EAST)["deals_total"] == 0  # nobody is in East any more


# ---------------------------------------------------------------- canary: a team grant

CANARY_OWNERS = frame(
    "owner team",
    [("Ola", "East"), ("SecretOwner", "SecretTeam")],
)
EAST_GRANT = Scope(teams=("East",))


@pytest.fixture
def team_canary(con):
    """test_access_scope's canary rows (secret names on SecretOwner's and SecretGhost's rows),
    with a teams file: Ola is East, SecretOwner is SecretTeam, SecretGhost has no row."""
    canary = {
        "accounts": scope_tests.ACCOUNTS,
        "pipeline_stages": scope_tests.STAGES,
        "deals": scope_tests.DEALS,
        "orders": scope_tests.ORDERS,
        "surveys": scope_tests.SURVEYS,
        "activities": scope_tests.ACTIVITIES,
        "tickets": scope_tests.TICKETS,
    }
    warehouse.load_frames(con, canary, source="test")
    warehouse.load_frames(con, {"owners": CANARY_OWNERS}, source="test")
    return con


@pytest.mark.parametrize(("name", "dimension"), scope_tests._canary_runs())
def test_nothing_from_another_team_reaches_a_manager_granted_east(team_canary, name, dimension):
    """The secret rows belong to SecretOwner (team SecretTeam) and to SecretGhost (no team)."""
    extra = dict(scope_tests.CANARY_EXTRA, **({"dimension": dimension} if dimension else {}))
    for filters in (Filters(), Filters(date(2025, 1, 1), date(2025, 12, 31))):
        params = scope_tests._params(name, filters.within(EAST_GRANT), **extra)
        mine = queries.run(team_canary, name, params)
        leaked = [v for v in scope_tests._texts(mine) if "secret" in v.lower()]
        assert leaked == [], f"{name} shows {leaked[:3]} to a manager granted team East"


def test_a_manager_granted_east_sees_only_east_owners_deals(team_canary):
    # Ola's deals: OKD1 won 100, OKD2 lost 50. Not SecretOwner's SECD1/SECD2, nor GHOST.
    manager = Filters().within(EAST_GRANT)
    got = measures.kpis(team_canary, manager)
    assert (got["deals_total"], got["deals_won"], got["won_amount"]) == (2, 1, 100.0)
    admin = measures.kpis(team_canary, Filters())
    assert admin["deals_total"] == 6  # the canary (with SECD3) is there without the grant
