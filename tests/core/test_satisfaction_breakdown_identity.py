"""satisfaction_breakdown_periods.sql reads the period's and the previous period's answers in
one pass (issue 18: the page ran satisfaction_breakdown.sql, kept in tests/core/previous_queries,
once per period). Its rows must be exactly the previous query's rows for the period
(is_previous false) and for Filters.previous_period() (true), on hand-made rows, on the sample,
for every dimension, filtered and scoped; the golden counts are worked out by hand in
tests/analytics/satisfaction/test_satisfaction.py (test_breakdown_rows)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dashboard.analytics.satisfaction.data import DIMENSIONS
from dashboard.core import queries
from dashboard.core.filters import Filters, Scope
from tests.analytics.satisfaction.test_satisfaction import load_company
from tests.core import frames_identity
from tests.core.test_teams import teams  # noqa: F401

PREVIOUS = (Path(__file__).parent / "previous_queries" / "satisfaction_breakdown.sql").read_text(
    encoding="utf-8"
)


def except_all_both_ways(cur, filters: Filters, dimension: str) -> tuple[int, int]:
    """The previous query run for the period and for the previous period, flagged, against
    satisfaction_breakdown_periods' rows."""
    params = {**filters.params(), "dimension": dimension}
    now = queries.run(cur, "satisfaction_breakdown_periods", params)
    before = [cur.execute(PREVIOUS, params).df().assign(is_previous=False)]
    if (previous := filters.previous_period()) is not None:
        previous_params = {**previous.params(), "dimension": dimension}
        before.append(cur.execute(PREVIOUS, previous_params).df().assign(is_previous=True))
    return frames_identity.except_all_both_ways(cur, pd.concat(before), now)


@pytest.fixture
def company(con):
    load_company(con)
    return con


@pytest.mark.parametrize("dimension", list(DIMENSIONS))
def test_rows_equal_the_previous_query_on_hand_made_rows(company, dimension):
    for view in frames_identity.views(date(2025, 4, 1), date(2025, 6, 30), "Ann", "SMB", "EMEA"):
        assert except_all_both_ways(company, view, dimension) == (0, 0), view


def test_rows_equal_the_previous_query_for_a_team(teams):  # noqa: F811
    """tests/core/test_teams.py's owners table: team East, also granted East only."""
    period = dict(start_date=date(2025, 1, 1), end_date=date(2025, 3, 31))
    for view in (
        Filters(**period, teams=("East",)),
        Filters(**period, scope=Scope(teams=("East",))),
    ):
        assert except_all_both_ways(teams, view, "segment") == (0, 0), view


@pytest.mark.parametrize("index", range(10))
def test_rows_equal_the_previous_query_on_the_sample(sample_con, index):
    cur = sample_con.cursor()
    view = frames_identity.sample_views(cur, "select cast(max(responded_at) as date) from surveys")[
        index
    ]
    for dimension in DIMENSIONS:
        assert except_all_both_ways(cur, view, dimension) == (0, 0), (view, dimension)
