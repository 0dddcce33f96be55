"""The fast scope macros (queries/macros) select exactly what their plain definitions do.

Each macro is checked against the definition written out in full (semi-joins, no shortcut), on
the sample and on hand-made rows with an account loaded twice, for every kind of filter: none,
segment, region, both, owner, team (through the owners table), and the empty-list deny a
manager without a grant gets.
"""

import pytest

from dashboard.store import warehouse
from tests.conftest import frame

FILTERS = {
    "none": (None, None, None, None),
    "segment": (["SMB"], None, None, None),
    "region": (None, ["EMEA"], None, None),
    "both": (["Enterprise", "Mid-Market"], ["EMEA", "North America"], None, None),
    "owner": (None, None, ["owner-1"], None),
    "team": (None, None, None, ["East"]),
    "team and segment": (["SMB"], None, None, ["East", "Nowhere"]),
    "deny segments": ([], None, None, None),
    "deny owners": (None, None, [], None),
    "deny teams": (None, None, None, []),
}
PLAIN_DEALS = """
    select deal_id from deals
    where ($owners is null or list_contains($owners, owner))
      and ($teams is null or owner in (select owner from owners where list_contains($teams, team)))
      and (($segments is null and $regions is null) or account_id in (
          select account_id from accounts
          where ($segments is null or list_contains($segments, segment))
            and ($regions is null or list_contains($regions, region))))
"""
PLAIN_ACCOUNT_ROWS = """
    select order_id from orders
    where ($segments is null and $regions is null and $owners is null and $teams is null)
       or account_id in (
        select account_id from accounts
        where ($segments is null or list_contains($segments, segment))
          and ($regions is null or list_contains($regions, region))
          and ($owners is null or list_contains($owners, owner))
          and ($teams is null
               or owner in (select owner from owners where list_contains($teams, team))))
"""
FAST = {
    "deals_in_scope": (
        "select deal_id from deals_in_scope($segments, $regions, $owners, $teams)",
        PLAIN_DEALS,
    ),
    "deal_in_scope": (
        "select deal_id from deals "
        "where deal_in_scope(owner, account_id, $segments, $regions, $owners, $teams)",
        PLAIN_DEALS,
    ),
    "deal_id_in_scope": (
        "select deal_id from deals "
        "where deal_id_in_scope(deal_id, $segments, $regions, $owners, $teams)",
        # with no filter at all every id counts, even one the deals table lacks; here all exist
        "select deal_id from deals where deal_id in (" + PLAIN_DEALS + ")",  # noqa: S608
    ),
    "account_in_scope": (
        "select order_id from orders "
        "where account_in_scope(account_id, $segments, $regions, $owners, $teams)",
        PLAIN_ACCOUNT_ROWS,
    ),
}


def _ids(cur, sql, filters):
    segments, regions, owners, teams = filters
    params = {"segments": segments, "regions": regions, "owners": owners, "teams": teams}
    return sorted(r[0] for r in cur.execute(sql, params).fetchall())


@pytest.mark.parametrize("macro", FAST)
@pytest.mark.parametrize("kind", FILTERS)
def test_fast_macro_matches_plain_definition_on_sample(sample_con, macro, kind):
    fast, plain = FAST[macro]
    cur = sample_con.cursor()
    owners = FILTERS[kind]
    if kind == "owner":  # the sample's busiest deal owner
        top = cur.execute("select owner from deals group by 1 order by count(*) desc").fetchone()
        owners = (None, None, [top[0]], None)
    expected = _ids(cur, plain, owners)
    assert _ids(cur, fast, owners) == expected
    if kind.startswith("deny"):
        assert expected == []


@pytest.fixture
def twice(con):
    # Account a1 is in the export twice (SMB/EMEA, then Enterprise/EMEA); a2 once; deal d3 and
    # order o3 name an account the accounts table does not have; d4 has no account.
    warehouse.load_frames(
        con,
        {
            "accounts": frame(
                "account_id segment region owner",
                [
                    ("a1", "SMB", "EMEA", "bob"),
                    ("a2", "SMB", "APAC", "ann"),
                    ("a1", "Enterprise", "EMEA", "bob"),
                ],
            ),
            "deals": frame(
                "deal_id account_id owner status",
                [
                    ("d1", "a1", "owner-1", "open"),
                    ("d2", "a2", "owner-2", "won"),
                    ("d3", "zz", "owner-1", "lost"),
                    ("d4", None, "owner-2", "open"),
                ],
            ),
            "orders": frame("order_id account_id", [("o1", "a1"), ("o2", "a2"), ("o3", "zz")]),
            # Teams: owner-1 (deals) and bob (accounts) are East; owner-2 is West; ann has no row.
            "owners": frame(
                "owner team",
                [("owner-1", "East"), ("bob", "East"), ("owner-2", "West")],
            ),
        },
        source="test",
    )
    assert con.execute("select count(*) from accounts").fetchone()[0] == 3
    return con


# By hand: SMB -> a1 (first copy) and a2 -> d1, d2; Enterprise+Mid-Market in EMEA/North America
# -> a1 (second copy) -> d1; owner-1 -> d1, d3 (the deal owner); no filter -> all four deals;
# orders: no filter -> o1, o2, o3 (o3's unknown account still counts); SMB -> o1, o2.
# Team East: deals whose owner is East (owner-1) -> d1, d3; orders of accounts whose owner is
# East (bob owns a1) -> o1. Team East and SMB: d1 (d3's account zz has no segment); o1.
@pytest.mark.parametrize(
    ("kind", "deals", "orders"),
    [
        ("none", ["d1", "d2", "d3", "d4"], ["o1", "o2", "o3"]),
        ("segment", ["d1", "d2"], ["o1", "o2"]),
        ("region", ["d1"], ["o1"]),
        ("both", ["d1"], ["o1"]),
        ("owner", ["d1", "d3"], []),
        ("team", ["d1", "d3"], ["o1"]),
        ("team and segment", ["d1"], ["o1"]),
        ("deny segments", [], []),
        ("deny owners", [], []),
        ("deny teams", [], []),
    ],
)
def test_fast_macros_on_an_account_loaded_twice(twice, kind, deals, orders):
    cur = twice.cursor()
    for macro, (fast, plain) in FAST.items():
        got = _ids(cur, fast, FILTERS[kind])
        assert got == _ids(cur, plain, FILTERS[kind]), macro
        assert got == (orders if macro == "account_in_scope" else deals), macro
