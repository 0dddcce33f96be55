"""Measure the competitor page's queries on the sample.

Usage: .venv/bin/python -m benchmarks.competitors [--scale 1] [--runs 5]
Prints one line per figure. Timing stays out of the test suite on purpose.
"""

from __future__ import annotations

from dashboard.filters import Filters

from benchmarks.harness import last_12_months, options, sample_warehouse, time_summary, time_views
from dashboard import competitors


def page_queries(cur, filters: Filters, whole_history: bool) -> None:
    """Every data function the competitor page calls for one view (as session.cached would
    on a cache miss): tiles and table, segments, colours, trend, loss reasons."""
    competitors.positioning(cur, filters)
    competitors.by_segment(cur, filters)
    competitors.names(cur, Filters())
    competitors.by_quarter(cur, filters, whole_history)
    competitors.loss_reasons(cur, filters)


def main() -> None:
    args = options(__doc__)
    with sample_warehouse(args.scale) as (con, frames, load_s):
        print(f"scale {args.scale:g}: {len(frames['deals']):,} deals; whole load {load_s:.2f} s")
        time_summary(con, "deal_competitors")
        year = last_12_months(con)
        scoped = last_12_months(con, segments=("Enterprise",), regions=("EMEA",))
        views = {
            "default (last 12 months)": lambda c: page_queries(c, year, False),
            "last 12 months, trend over the whole history": lambda c: page_queries(c, year, True),
            "all time": lambda c: page_queries(c, Filters(), False),
            "last 12 months, Enterprise + EMEA": lambda c: page_queries(c, scoped, False),
            "kpis competitors (all time)": lambda c: competitors.kpi_rows(c, Filters()),
        }
        time_views(con, "competitor page queries", views, args.runs)


if __name__ == "__main__":
    main()
