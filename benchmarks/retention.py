"""Measure the retention page's queries and the per-load summaries they read.

Usage: .venv/bin/python -m benchmarks.retention [--scale 1] [--runs 5]
Prints one line per figure. Timing stays out of the test suite on purpose.
"""

from __future__ import annotations

from dashboard.filters import Filters

from benchmarks.harness import last_12_months, options, sample_warehouse, time_summary, time_views
from dashboard import retention, summaries


def page_queries(cur, filters: Filters, grain: str, basis: str, unbounded: bool) -> None:
    """Everything the retention page runs for one view: period tiles, cohorts (with notes)."""
    retention.period_retention(cur, filters)
    retention.cohorts(cur, filters, grain, basis, unbounded)


def main() -> None:
    args = options(__doc__)
    with sample_warehouse(args.scale) as (con, frames, load_s):
        print(f"scale {args.scale:g}: {len(frames['orders']):,} orders; whole load {load_s:.2f} s")
        for name in summaries.available():
            if name.startswith("retention_"):
                time_summary(con, name)
        year = last_12_months(con)
        scoped = last_12_months(con, segments=("Enterprise",), regions=("EMEA",))
        views = {
            "default (last 12 months, monthly, first order)": lambda c: page_queries(
                c, year, "month", "first_order", False
            ),
            "all time, weekly, first order, k or later": lambda c: page_queries(
                c, Filters(), "week", "first_order", True
            ),
            "last 12 months, quarterly, first won deal, Enterprise + EMEA": lambda c: page_queries(
                c, scoped, "quarter", "first_won_deal", False
            ),
            "kpis retention_by_offset (all time)": lambda c: retention.kpi_rows(c, Filters()),
        }
        time_views(con, "retention page queries", views, args.runs)


if __name__ == "__main__":
    main()
