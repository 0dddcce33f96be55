"""The sidebar's options and data dates, which run before every page, read small per-load
summaries (summary_filter_values, summary_data_dates) instead of every account, deal, order and
answer. Each test fails without them: the golden rows are the summaries' own, and the identity
tests hold the plain definitions the queries had before (scanning the canonical tables through
the scope macros) and compare both ways, for no grant and for several grants.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard.core import coverage, queries
from dashboard.core.filters import Filters, Scope
from dashboard.store import warehouse
from tests.conftest import frame
from tests.core.test_teams import ACCOUNTS, DEALS, OWNERS, SURVEYS

# The plain definition filter_options.sql had before it read summary_filter_values.
PLAIN_FILTER_OPTIONS = """
with
accounts_seen as (
    select segment, region, owner from accounts_in_scope($segments, $regions, $owners, $teams)
),
deals_seen as (
    select owner from deals_in_scope($segments, $regions, $owners, $teams)
),
teams_seen as (
    select o.team from owners as o
    where owner_in_teams(o.owner, $teams)
      and (($segments is null and $regions is null and $owners is null and $teams is null)
           or o.owner in (select owner from accounts_seen union select owner from deals_seen))
),
values_seen as (
    select 'segment' as dimension, segment as value from accounts_seen
    union select 'region', region from accounts_seen
    union select 'owner', owner from accounts_seen
    union select 'owner', owner from deals_seen
    union select 'team', team from teams_seen
)
select dimension, value from values_seen
where value is not null and trim(value) <> ''
order by dimension, value
"""

# The plain definition data_date_range.sql had before it read summary_data_dates.
PLAIN_DATES = """
select cast(min(seen_at) as date) as first_date, cast(max(seen_at) as date) as last_date
from (select created_at as seen_at from deals union all select closed_at from deals
      union all select ordered_at from orders union all select responded_at from surveys)
"""


def _grant(**lists: list[str]) -> dict[str, object]:
    """The query's parameters: null = every value, a list = only those, [] = nothing."""
    return {key: lists.get(key) for key in ("segments", "regions", "owners", "teams")}


GRANTS = [
    _grant(),
    _grant(segments=["SMB"]),
    _grant(regions=["EMEA", "APAC"]),
    _grant(segments=["Enterprise"], regions=["EMEA"]),
    _grant(owners=["Ann", "Bob"]),
    _grant(teams=["East"]),  # a manager's scope
    _grant(segments=["SMB"], teams=["West"]),
    _grant(segments=[], regions=[], owners=[], teams=[]),  # an empty grant: nothing
]


@pytest.fixture
def teams(con):
    # An account exported twice in one file (A2 again as SMB in APAC), and a deal on an
    # unknown account (D7).
    again = frame(
        "account_id account_name segment region owner",
        [("A2", "Beta", "SMB", "APAC", "Cy")],
    )
    unknown = frame(
        "deal_id account_id owner status amount created_at closed_at",
        [("D7", "A9", "Dee", "open", 5, "2025-01-02", None)],
    )
    accounts = pd.concat([ACCOUNTS, again], ignore_index=True)
    deals = pd.concat([DEALS, unknown], ignore_index=True)
    warehouse.load_frames(
        con, {"accounts": accounts, "deals": deals, "surveys": SURVEYS}, source="test"
    )
    warehouse.load_frames(con, {"owners": OWNERS}, source="test")
    return con


def _rows(con, sql: str) -> list[tuple]:
    return sorted(con.execute(sql).fetchall(), key=repr)


def test_filter_values_summary_holds_each_combination_once(teams):
    # Accounts: A1 (SMB, EMEA, Ann), A2 (Enterprise, EMEA, Bob) and its second copy (SMB, APAC,
    # Cy), A3 (SMB, APAC, Zed). Deals by owner x each copy of their account: D1 Ann/A1, D2 Ann/A2
    # (two copies: two rows), D3 Bob/A1, D4 Cy/A3, D5 Bob/A2 (two rows), D6 Zed/A3, D7 Dee on the
    # unknown A9 (no segment or region, has_account false).
    got = _rows(teams, "select * from summary_filter_values")
    assert got == sorted(
        [
            ("account", "SMB", "EMEA", "Ann", True),
            ("account", "Enterprise", "EMEA", "Bob", True),
            ("account", "SMB", "APAC", "Cy", True),
            ("account", "SMB", "APAC", "Zed", True),
            ("deal", "SMB", "EMEA", "Ann", True),
            ("deal", "Enterprise", "EMEA", "Ann", True),
            ("deal", "SMB", "APAC", "Ann", True),
            ("deal", "SMB", "EMEA", "Bob", True),
            ("deal", "SMB", "APAC", "Cy", True),
            ("deal", "Enterprise", "EMEA", "Bob", True),
            ("deal", "SMB", "APAC", "Bob", True),
            ("deal", "SMB", "APAC", "Zed", True),
            ("deal", None, None, "Dee", False),
        ],
        key=repr,
    )


def test_filter_options_by_hand(teams):
    # Segment SMB: accounts A1 (Ann), A2's SMB copy (Cy), A3 (Zed); deals on an account with an
    # SMB copy: D1, D2, D3, D4, D5, D6 (not D7: unknown account) -> owners Ann, Bob, Cy, Zed;
    # teams of those owners: East (Ann, Cy), West (Bob). Regions of the SMB accounts: EMEA, APAC.
    got = coverage.filter_values(teams, Filters().within(Scope(segments=("SMB",))))
    assert got == {
        "owner": ["Ann", "Bob", "Cy", "Zed"],
        "region": ["APAC", "EMEA"],
        "segment": ["SMB"],
        "team": ["East", "West"],
    }
    # No grant: Dee (D7, unknown account) is offered too.
    assert coverage.filter_values(teams)["owner"] == ["Ann", "Bob", "Cy", "Dee", "Zed"]


@pytest.mark.parametrize("grant", GRANTS, ids=repr)
def test_filter_options_equal_the_plain_definition_on_hand_rows(teams, grant):
    params = grant
    got = queries.run(teams, "filter_options", params)
    plain = teams.execute(PLAIN_FILTER_OPTIONS, params).df()
    pd.testing.assert_frame_equal(got, plain)


@pytest.mark.parametrize("grant", GRANTS, ids=repr)
def test_filter_options_equal_the_plain_definition_on_the_sample(sample_con, grant):
    cur = sample_con.cursor()
    owners = [
        r[0] for r in cur.execute("select owner from deals order by deal_id limit 3").fetchall()
    ]
    for params in (grant, _grant(owners=owners), _grant(owners=owners, regions=["EMEA"])):
        got = queries.run(cur, "filter_options", params)
        plain = cur.execute(PLAIN_FILTER_OPTIONS, params).df()
        assert len(plain) > 0 or params != _grant()
        pd.testing.assert_frame_equal(got, plain)


def test_data_dates_equal_the_plain_definition(teams, sample_con):
    # Hand rows: deals created 2025-01-01..05 and closed up to 2025-03-01, surveys 2025-02-01.
    assert _rows(teams, "select * from summary_data_dates") == [
        (date(2025, 1, 1), date(2025, 3, 1))
    ]
    assert _rows(teams, "select * from summary_data_dates") == _rows(teams, PLAIN_DATES)
    cur = sample_con.cursor()
    assert _rows(cur, "select * from summary_data_dates") == _rows(cur, PLAIN_DATES)


def test_data_dates_with_nothing_dated_is_one_row_of_nulls(con):
    assert _rows(con, "select * from summary_data_dates") == [(None, None)]
    assert coverage.span_words(con).startswith("No dated data loaded")
