"""What the entry script asks before every page, for less (issue 18), with the same answers:

- the sample banner from one small query (queries/sample_only.sql) instead of the load history
  and two counts: the previous way is written out below (previous_notice);
- the sidebar's options for a person who may see everything from filter_options_all_granted.sql,
  which must give filter_options.sql's rows with every list null (and none for any narrower
  grant, which filter_options.sql answers);
- the sidebar's date line reading the data's dates once (its words are checked in
  test_access_scope.py and tests/ui)."""

from __future__ import annotations

import pytest

from dashboard.core import coverage, queries
from dashboard.core.filters import NOTHING, Filters, Scope
from dashboard.store import sample, warehouse
from tests.conftest import frame
from tests.core.test_teams import team_canary, teams  # noqa: F401
from tests.golden_data import load_golden

GRANTS = [
    Scope(segments=("SMB",)),
    Scope(regions=("EMEA",)),
    Scope(teams=("East",)),
    NOTHING,
    Scope(segments=()),
]


def previous_notice(con, can_import: bool = True) -> str | None:
    """sample_notice as it was: the loads in effect, then a count of accounts and of deals."""
    loads = warehouse.active_loads(con)
    if loads.empty or not bool(loads["is_sample"].all()):
        return None
    accounts = warehouse.scalar(con, "select count(*) from accounts")
    deals = warehouse.scalar(con, "select count(*) from deals")
    way_out = (
        "To see your own, bring your CRM exports in on the **Import** page."
        if can_import
        else "Your own data appears here once an analyst imports your CRM exports."
    )
    return (
        "You are looking at **sample data**: a fictional B2B software company over three "
        f"years ({accounts:,} accounts, {deals:,} deals). {way_out}"
    )


def assert_same_notice(con) -> None:
    for can_import in (True, False):
        assert sample.sample_notice(con, None, can_import) == previous_notice(con, can_import)


def test_sample_only_by_hand(con):
    # No load yet: not the sample, no counts.
    assert queries.run_one(con, "sample_only", {}) == {
        "is_sample_only": False,
        "count_accounts": None,
        "count_deals": None,
    }
    assert_same_notice(con)
    # A load marked as the sample: 2 accounts, 3 deals.
    accounts = frame("account_id segment", [("A1", "SMB"), ("A2", "SMB")])
    deals = frame("deal_id account_id status", [("D1", "A1", "open"), ("D2", "A1", "won"),
                                                  ("D3", "A2", "lost")])  # fmt: skip
    warehouse.load_frames(con, {"accounts": accounts, "deals": deals}, source="s", is_sample=True)
    assert queries.run_one(con, "sample_only", {}) == {
        "is_sample_only": True,
        "count_accounts": 2,
        "count_deals": 3,
    }
    assert "(2 accounts, 3 deals)" in sample.sample_notice(con)
    assert_same_notice(con)
    # A real load beside it: no banner, and no count of real rows in the answer.
    real = warehouse.load_frames(con, {"accounts": frame("account_id", [("B1",)])}, source="t")
    assert queries.run_one(con, "sample_only", {})["count_accounts"] is None
    assert not sample.showing_sample_only(con)
    assert_same_notice(con)
    warehouse.undo_load(con, real)  # undone: the sample alone again
    assert sample.showing_sample_only(con)
    assert_same_notice(con)


def test_sample_notice_as_before_on_the_sample_and_hand_rows(sample_con, con):
    assert_same_notice(sample_con.cursor())
    load_golden(con)
    assert_same_notice(con)


def all_granted_identical(cur) -> int:
    """filter_options_all_granted against filter_options, both with a full grant; returns the
    number of rows compared. A narrower grant gets no row from the new file."""
    everything = Filters().scope_params()
    before = queries.run(cur, "filter_options", everything)
    now = queries.run(cur, "filter_options_all_granted", everything)
    assert now.equals(before), (now, before)
    assert coverage.filter_values(cur, Filters()) == {
        dim: group["value"].tolist() for dim, group in before.groupby("dimension")
    }
    for grant in GRANTS:
        params = Filters(scope=grant).scope_params()
        assert queries.run(cur, "filter_options_all_granted", params).empty, grant
    only_ann = {**everything, "owners": ["Ann"]}  # no grant names owners; the file still says no
    assert queries.run(cur, "filter_options_all_granted", only_ann).empty
    return len(before)


def test_all_granted_options_by_hand(con):
    load_golden(con)
    # tests/golden_data.py: segments Enterprise, SMB; every owner of accounts and deals.
    options = coverage.filter_values(con, Filters())
    assert options["segment"] == ["Enterprise", "SMB"]
    assert all_granted_identical(con) > 0


def test_all_granted_options_equal_the_scoped_query_with_teams(teams):  # noqa: F811
    assert coverage.filter_values(teams, Filters())["team"]  # the teams file's teams are offered
    assert all_granted_identical(teams) > 0


def test_all_granted_options_equal_the_scoped_query_on_the_canary(team_canary):  # noqa: F811
    assert all_granted_identical(team_canary) > 0


def test_all_granted_options_equal_the_scoped_query_on_the_sample(sample_con):
    assert all_granted_identical(sample_con.cursor()) > 10


@pytest.mark.parametrize("grant", GRANTS, ids=repr)
def test_a_narrower_grant_still_reads_filter_options(golden_grant_con, grant):
    """coverage.filter_values with a grant: the scoped file's rows, as before."""
    params = Filters(scope=grant).scope_params()
    before = queries.run(golden_grant_con, "filter_options", params)
    want = {dim: group["value"].tolist() for dim, group in before.groupby("dimension")}
    assert coverage.filter_values(golden_grant_con, Filters(scope=grant)) == want


@pytest.fixture
def golden_grant_con(con):
    load_golden(con)
    return con
