"""Measure the funnel page's queries: everything one view runs, uncached.

Usage: .venv/bin/python benchmarks/funnel.py [--scale 1] [--runs 5]
Prints one line per figure. Timing stays out of the test suite on purpose.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from dashboard import funnel, sidebar, warehouse
from dashboard.filters import Filters
from sample_data.generate import generate


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


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
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        con = warehouse.connect(Path(tmp) / "bench.duckdb")
        frames = generate(scale=args.scale)
        load_s, _ = _timed(
            lambda: warehouse.load_frames(con, frames, source="sample", is_sample=True)
        )
        print(
            f"scale {args.scale:g}: {len(frames['deals']):,} deals, "
            f"{len(frames['deal_stage_history']):,} stage history rows; "
            f"load incl. every summary table: {load_s:.2f} s"
        )
        _, as_of = sidebar.data_dates(con, Filters())
        last_12 = Filters(*sidebar.preset_range("Last 12 months", as_of))
        views = {
            "pipeline view, last 12 months": lambda c: pipeline_view(c, last_12),
            "pipeline view, last 12 months, 30-day window": lambda c: pipeline_view(c, last_12, 30),
            "pipeline view, all time": lambda c: pipeline_view(c, Filters()),
            "pipeline view, 12 months, Enterprise + EMEA": lambda c: pipeline_view(
                c, Filters(last_12.start_date, last_12.end_date, ("Enterprise",), ("EMEA",))
            ),
            "lifecycle view, last 12 months": lambda c: lifecycle_view(c, last_12),
        }
        for label, run in views.items():
            cur = con.cursor()
            cold, _ = _timed(lambda r=run, c=cur: r(c))
            warm = [_timed(lambda r=run, c=cur: r(c))[0] for _ in range(args.runs)]
            print(
                f"{label}: first {cold * 1000:.0f} ms, "
                f"median of {args.runs} {statistics.median(warm) * 1000:.0f} ms"
            )


if __name__ == "__main__":
    main()
