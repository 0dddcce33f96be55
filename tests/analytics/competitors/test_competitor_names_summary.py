"""The competitors page reads two things on every view that it no longer recomputes (issue 18):
- competitor_names (the colour order) reads summary_deal_competitors_named, built per load,
  when the grant is everything; a narrower grant still counts its own deals. Its rows must be
  exactly those of the plain definition it had before (EXCEPT ALL both ways) for every grant;
- the loss reason chart is made from the rows positioning already read (Positioning.reasons),
  not by running competitor_loss_reasons a second time; it must equal loss_reasons()."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.analytics.competitors import data as competitors
from dashboard.core import queries
from dashboard.core.filters import Filters, Scope
from tests.analytics.competitors.test_competitors import Q1, golden, rows  # noqa: F401
from tests.core.test_teams import teams  # noqa: F401

# The definition competitor_names.sql had before it read summary_deal_competitors_named.
PLAIN_NAMES = """
select competitor, count(*) as count_deals
from summary_deal_competitors
where deal_id_in_scope(deal_id, $segments, $regions, $owners, $teams)
group by competitor
order by count_deals desc, competitor
"""


def except_all_both_ways(cur, params: dict) -> tuple[int, int, int]:
    """(rows, rows only before, rows only now) of the plain definition against the query."""
    before = cur.execute(PLAIN_NAMES, params).df()
    now = queries.run(cur, "competitor_names", params)
    assert list(now.columns) == list(before.columns)
    cur.register("before_rows", before)
    cur.register("now_rows", now)
    only_before = cur.execute("select count(*) from (from before_rows except all from now_rows)")
    only_before = only_before.fetchone()[0]
    only_now = cur.execute("select count(*) from (from now_rows except all from before_rows)")
    assert now["competitor"].tolist() == before["competitor"].tolist()  # the same order
    return len(before), only_before, only_now.fetchone()[0]


GRANTS = [
    Scope(),
    Scope(segments=("SMB",)),
    Scope(regions=("EMEA",)),
    Scope(segments=()),  # granted nothing
]


def test_the_summary_holds_the_hand_counts(golden):  # noqa: F811
    # Every deal, open and undated included (test_competitors.py's company): Acme D1 D2 D3 D5
    # D8 D9 = 6; Beta D1 D7 D11 = 3; Gamma D2 D10 = 2; Delta D7 = 1.
    got = golden.execute(
        "select competitor, count_deals from summary_deal_competitors_named order by 2 desc"
    ).fetchall()
    assert got == [("Acme", 6), ("Beta", 3), ("Gamma", 2), ("Delta", 1)]


def test_everyone_granted_everything_reads_the_summary(golden):  # noqa: F811
    # Fails while the query counts summary_deal_competitors itself: it would say 6.
    golden.execute("update summary_deal_competitors_named set count_deals = 60 where "
                   "competitor = 'Acme'")  # fmt: skip
    got = queries.run(golden, "competitor_names", Filters().scope_params())
    assert rows(got, ["competitor", "count_deals"])[0] == ("Acme", 60)
    # A narrower grant counts its own deals: Ann's and Bob's SMB deals naming Acme are D1 D2
    # D5 D8 (A1, A3).
    smb = Filters(scope=Scope(segments=("SMB",))).scope_params()
    assert rows(queries.run(golden, "competitor_names", smb), ["competitor", "count_deals"])[0] == (
        "Acme",
        4,
    )


@pytest.mark.parametrize("grant", GRANTS, ids=repr)
def test_same_rows_as_the_plain_definition_on_hand_made_rows(golden, grant):  # noqa: F811
    params = Filters(scope=grant).scope_params()
    n, only_before, only_now = except_all_both_ways(golden, params)
    assert (only_before, only_now) == (0, 0)
    assert n > 0 or grant.is_nothing


def test_same_rows_as_the_plain_definition_with_owners_and_teams(teams):  # noqa: F811
    for filters in (Filters(owners=("Ann",)), Filters(scope=Scope(teams=("East",)))):
        n, only_before, only_now = except_all_both_ways(teams, filters.scope_params())
        assert (only_before, only_now) == (0, 0)


@pytest.mark.parametrize("grant", GRANTS, ids=repr)
def test_same_rows_as_the_plain_definition_on_the_sample(sample_con, grant):
    cur = sample_con.cursor()
    n, only_before, only_now = except_all_both_ways(cur, Filters(scope=grant).scope_params())
    assert (only_before, only_now) == (0, 0)
    assert n > 0 or grant.is_nothing


@pytest.mark.parametrize("filters", [Q1, Filters(), Filters(segments=("SMB",))], ids=repr)
def test_the_loss_reason_chart_from_positionings_rows(golden, filters):  # noqa: F811
    view = competitors.positioning(golden, filters)
    assert view.reasons is not None  # fails while positioning does not keep its rows
    got = competitors.lost_by_reason(view.reasons, view.no_data)
    pd.testing.assert_frame_equal(got, competitors.loss_reasons(golden, filters))
    assert not got.empty
