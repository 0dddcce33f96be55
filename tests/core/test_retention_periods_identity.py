"""retention_periods.sql gives this period's and the previous period's churn and revenue
retention in one pass, reading orders by month (issue 18: retention_period_summary.sql, kept in
tests/core/previous_queries, scanned every order once per period and tested the scope on each).
Its two rows must be exactly the previous query's rows for the period and for
Filters.previous_period(), on hand-made rows, on the sample, for the default view and filtered,
scoped and mid-month ones; the golden figures are worked out by hand in
tests/analytics/retention/test_retention.py (test_retention_periods, ..._cut_inside_months)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dashboard.core import queries
from dashboard.core.filters import Filters, Scope
from tests.analytics.retention.test_retention import load_retention_company
from tests.core import frames_identity
from tests.core.test_teams import teams  # noqa: F401

PREVIOUS = (Path(__file__).parent / "previous_queries" / "retention_period_summary.sql").read_text(
    encoding="utf-8"
)


def except_all_both_ways(cur, filters: Filters) -> tuple[int, int]:
    """The previous query run for the period and for the previous period, against
    retention_periods' two rows."""
    now = queries.run(cur, "retention_periods", filters.params())
    # Without a previous period (no start or no end date) the page reads no previous row.
    periods = [filters, *filter(None, [filters.previous_period()])]
    now = now[~now["is_previous"]] if len(periods) == 1 else now
    before = [cur.execute(PREVIOUS, f.params()).df() for f in periods]
    return frames_identity.except_all_both_ways(
        cur, pd.concat(before), now.drop(columns="is_previous")
    )


def test_two_rows_equal_the_previous_query_on_hand_made_rows(company):
    for view in frames_identity.views(date(2025, 3, 1), date(2025, 4, 30), "Ann", "SMB", "EMEA"):
        assert except_all_both_ways(company, view) == (0, 0), view
    for start, end in [
        (date(2025, 3, 16), date(2025, 4, 15)),
        (date(2025, 3, 5), date(2025, 3, 14)),
    ]:
        assert except_all_both_ways(company, Filters(start, end)) == (0, 0), (start, end)


@pytest.fixture
def company(con):
    load_retention_company(con)
    return con


def test_two_rows_equal_the_previous_query_for_a_team(teams):  # noqa: F811
    """tests/core/test_teams.py's owners table: team East, also granted East only."""
    period = dict(start_date=date(2025, 1, 1), end_date=date(2025, 3, 31))
    for view in (
        Filters(**period, teams=("East",)),
        Filters(**period, scope=Scope(teams=("East",))),
    ):
        assert except_all_both_ways(teams, view) == (0, 0), view


@pytest.mark.parametrize("index", range(10))
def test_two_rows_equal_the_previous_query_on_the_sample(sample_con, index):
    cur = sample_con.cursor()
    view = frames_identity.sample_views(cur, "select cast(max(ordered_at) as date) from orders")[
        index
    ]
    assert except_all_both_ways(cur, view) == (0, 0), view
