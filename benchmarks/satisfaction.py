"""Measure the satisfaction page's queries and the per-load summary they read.

Usage: .venv/bin/python -m benchmarks.satisfaction [--scale 1] [--runs 5]
Prints one line per figure. Timing stays out of the test suite on purpose.
"""

from __future__ import annotations

from dashboard.filters import Filters

from benchmarks.harness import last_12_months, options, sample_warehouse, time_summary, time_views
from dashboard import satisfaction


def page_queries(cur, filters: Filters, grain: str, rolling: int, dimension: str, search: str):
    """Everything the satisfaction page runs for one view, in the page's order."""
    minimum = satisfaction.MIN_RESPONSES
    satisfaction.headline(cur, filters, minimum)
    satisfaction.trend(cur, filters, grain, minimum, rolling)
    satisfaction.breakdown(cur, filters, dimension, minimum)
    satisfaction.behaviour(cur, filters, satisfaction.DEFAULT_WINDOW, minimum)
    satisfaction.verbatims(cur, filters, "", search)


def main() -> None:
    args = options(__doc__)
    with sample_warehouse(args.scale) as (con, frames, load_s):
        print(
            f"scale {args.scale:g}: {len(frames['surveys']):,} survey answers, "
            f"{len(frames['orders']):,} orders; whole load {load_s:.2f} s"
        )
        time_summary(con, "satisfaction_responses")
        year = last_12_months(con)
        scoped = last_12_months(con, segments=("Enterprise",), regions=("EMEA",))
        views = {
            "default (last 12 months, NPS by month, by segment, 90-day window)": lambda c: (
                page_queries(c, year, "month", 1, "segment", "")
            ),
            "all time, by week, rolling 6, by account owner, search 'pricing'": lambda c: (
                page_queries(c, Filters(), "week", 6, "owner", "pricing")
            ),
            "last 12 months, Enterprise + EMEA, by quarter, by channel": lambda c: page_queries(
                c, scoped, "quarter", 3, "channel", ""
            ),
            "headline": lambda c: satisfaction.headline(c, year),
            "trend": lambda c: satisfaction.trend(c, year),
            "breakdown": lambda c: satisfaction.breakdown(c, year),
            "behaviour": lambda c: satisfaction.behaviour(c, year),
            "verbatims": lambda c: satisfaction.verbatims(c, year),
            "kpis satisfaction_by_month (all time)": lambda c: satisfaction.kpi_rows(c, Filters()),
        }
        time_views(con, "satisfaction page queries", views, args.runs)


if __name__ == "__main__":
    main()
