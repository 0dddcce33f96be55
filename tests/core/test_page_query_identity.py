"""Queries rewritten for speed (issue 18) give the answers of the queries they replace: a golden
test on hand-made rows (tests/golden_data.py) and the same figures as the previous query on the
sample, for the default view and filtered views."""

from __future__ import annotations

import pytest

from dashboard.core import queries
from dashboard.core.filters import SCOPE_KEYS, Filters
from tests.golden_data import load_golden


def _scope(filters: Filters) -> dict[str, object]:
    return {key: value for key, value in filters.params().items() if key in SCOPE_KEYS}


def test_closed_deals_undated_by_hand(con):
    load_golden(con)
    # D7 (Ann, account ZZ that no accounts row has) is won with no close date: the only one.
    assert queries.run_one(con, "closed_deals_undated", _scope(Filters())) == {
        "closed_deals_without_date": 1
    }
    # Ann's deals include D7; Bob's do not; Enterprise needs a known account, which ZZ is not.
    ann, bob = Filters(owners=("Ann",)), Filters(owners=("Bob",))
    enterprise = Filters(segments=("Enterprise",))
    counts = [
        queries.run_one(con, "closed_deals_undated", _scope(f))["closed_deals_without_date"]
        for f in (ann, bob, enterprise)
    ]
    assert counts == [1, 0, 0]


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(segments=("SMB",)),
        Filters(regions=("EMEA",)),
        Filters(segments=("Enterprise",), regions=("North America",)),
        Filters(segments=()),
    ],
    ids=repr,
)
def test_closed_deals_undated_equals_deal_summarys_count_on_the_sample(sample_con, filters):
    cur = sample_con.cursor()
    # The sample's deals all have close dates when closed: undate some, in a transaction
    # that is rolled back, so both queries have something to count.
    cur.execute("begin")
    try:
        cur.execute("update summary_deals_closed set closed_at = null where hash(deal_id) % 7 = 0")
        cur.execute(
            "update deals set closed_at = null "
            "where status in ('won', 'lost') and hash(deal_id) % 7 = 0"
        )
        owners = [r[0] for r in cur.execute("select owner from deals limit 2").fetchall()]
        for view in (filters, Filters(owners=tuple(owners))):
            plain = queries.run_one(cur, "deal_summary", view.params())
            got = queries.run_one(cur, "closed_deals_undated", _scope(view))
            assert got["closed_deals_without_date"] == plain["closed_deals_without_date"]
            assert got["closed_deals_without_date"] > 0 or view.segments == ()
    finally:
        cur.execute("rollback")
