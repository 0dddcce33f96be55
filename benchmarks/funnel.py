"""Measure the funnel page's queries: everything one view runs, uncached.

Usage: .venv/bin/python -m benchmarks.funnel [--scale 1] [--runs 5]
Prints one line per figure. Timing stays out of the test suite on purpose.
"""

from __future__ import annotations

from dashboard.filters import Filters

from benchmarks.harness import last_12_months, options, sample_warehouse, time_views
from dashboard import funnel


def pipeline_view(cur, filters: Filters, window_days: int | None = None) -> None:
    """Everything the deal-pipeline view runs for one view (default widgets)."""
    pipeline = funnel.default_pipeline(cur, filters)
    funnel.deals_without_steps(cur, filters)
    steps = funnel.funnel_steps(cur, filters, pipeline, window_days)
    funnel.dropoff(cur, filters, pipeline, funnel.default_dropoff_step(steps), window_days)
    funnel.breakdown(cur, filters, pipeline, "segment", window_days)
    funnel.time_in_stage(cur, filters, pipeline)
    funnel.sales_cycle(cur, filters, pipeline)
    funnel.trend(cur, filters, pipeline, window_days)


def lifecycle_view(cur, filters: Filters) -> None:
    funnel.lifecycle(cur, filters)


def main() -> None:
    args = options(__doc__)
    with sample_warehouse(args.scale) as (con, frames, load_s):
        print(
            f"scale {args.scale:g}: {len(frames['deals']):,} deals, "
            f"{len(frames['deal_stage_history']):,} stage history rows; "
            f"load incl. every summary table: {load_s:.2f} s"
        )
        year = last_12_months(con)
        scoped = last_12_months(con, segments=("Enterprise",), regions=("EMEA",))
        views = {
            "pipeline view, last 12 months": lambda c: pipeline_view(c, year),
            "pipeline view, last 12 months, 30-day window": lambda c: pipeline_view(c, year, 30),
            "pipeline view, all time": lambda c: pipeline_view(c, Filters()),
            "pipeline view, 12 months, Enterprise + EMEA": lambda c: pipeline_view(c, scoped),
            "lifecycle view, last 12 months": lambda c: lifecycle_view(c, year),
        }
        time_views(con, "funnel", views, args.runs)


if __name__ == "__main__":
    main()
