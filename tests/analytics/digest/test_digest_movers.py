"""Golden test of queries/digest_movers.sql (the digest's top movers) on tests/golden_data."""

from datetime import date

import pytest

from dashboard.core import queries
from dashboard.core.filters import Filters, Scope
from tests.golden_data import load_golden

# Sample values for the page parameters (tests/core/test_queries.py runs every file on the
# sample): no previous period, so every won deal with a close date counts as "now".
SAMPLE_PAGE_PARAMS = {"digest_movers": {"previous_start_date": None, "previous_end_date": None}}

Q2 = Filters(date(2025, 4, 1), date(2025, 6, 30))  # 91 days; the period before: 31 Dec - 31 Mar


def movers(con, filters: Filters) -> list[tuple]:
    before = filters.previous_period()
    params = {
        **filters.params(),
        "previous_start_date": before.start_date,
        "previous_end_date": before.end_date,
    }
    frame = queries.run(con, "digest_movers", params)
    return [tuple(r) for r in frame.itertuples(index=False)]


@pytest.fixture
def golden(con):
    load_golden(con)
    return con


def test_movers_compare_won_deals_with_the_period_before(golden):
    # Now (Q2 2025): D5 won 700 (Ann, A1 Enterprise EMEA, closed 15 Apr).
    # Before (31 Dec 2024 - 31 Mar 2025): D1 won 1000 (Ann, A1, 31 Jan), D3 won 3000 (Bob, A2
    # SMB APAC, 3 Mar). D7 has no close date: in no period. Lost deals never count.
    # Largest absolute change first, then dimension and value.
    assert movers(golden, Q2) == [
        ("owner", "Bob", 0, 0.0, 1, 3000.0, -3000.0),
        ("region", "APAC", 0, 0.0, 1, 3000.0, -3000.0),
        ("segment", "SMB", 0, 0.0, 1, 3000.0, -3000.0),
        ("owner", "Ann", 1, 700.0, 1, 1000.0, -300.0),
        ("region", "EMEA", 1, 700.0, 1, 1000.0, -300.0),
        ("segment", "Enterprise", 1, 700.0, 1, 1000.0, -300.0),
    ]


def test_movers_keep_to_the_grant(golden):
    # A manager granted SMB sees A2's deals only: D3 before, nothing now.
    smb = Q2.within(Scope(segments=("SMB",)))
    assert movers(golden, smb) == [
        ("owner", "Bob", 0, 0.0, 1, 3000.0, -3000.0),
        ("region", "APAC", 0, 0.0, 1, 3000.0, -3000.0),
        ("segment", "SMB", 0, 0.0, 1, 3000.0, -3000.0),
    ]
