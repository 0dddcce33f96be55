"""Measure first start (sample generation + load) and the overview's queries.

Usage: .venv/bin/python -m benchmarks.overview [--scale 1] [--runs 5]
Prints one line per figure. Timing stays out of the test suite on purpose.
"""

from __future__ import annotations

from dashboard.filters import Filters

from benchmarks.harness import last_12_months, options, sample_warehouse, time_views
from dashboard import measures, overview, sidebar


def overview_queries(cur, filters: Filters) -> None:
    """Everything the overview runs for one view: sidebar options, tiles, trend."""
    sidebar.filter_options(cur, filters)
    sidebar.data_dates(cur, filters)
    overview.kpi_summary(cur, filters)
    measures.closed_deals_by_month(cur, filters)


def main() -> None:
    args = options(__doc__)
    with sample_warehouse(args.scale) as (con, frames, load_s):
        rows = sum(len(f) for f in frames.values())
        print(
            f"scale {args.scale:g}: {rows:,} rows; load {load_s:.2f} s "
            f"({rows / load_s:,.0f} rows/s)"
        )
        year = last_12_months(con)
        views = {
            "last 12 months": lambda c: overview_queries(c, year),
            "all time": lambda c: overview_queries(c, Filters()),
            "12 months, Enterprise + EMEA": lambda c: overview_queries(
                c, last_12_months(con, segments=("Enterprise",), regions=("EMEA",))
            ),
        }
        time_views(con, "overview queries", views, args.runs)


if __name__ == "__main__":
    main()
