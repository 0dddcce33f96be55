"""Measure first start (sample generation + load) and the overview's queries.

Usage: .venv/bin/python benchmarks/overview.py [--scale 1] [--runs 5]
Prints one line per figure. Timing stays out of the test suite on purpose.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from dashboard import measures, overview, sidebar, warehouse
from dashboard.filters import Filters
from sample_data.generate import generate


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def overview_queries(cur, filters: Filters) -> None:
    """Everything the overview runs for one view: sidebar options, tiles, trend."""
    sidebar.filter_options(cur, filters)
    sidebar.data_dates(cur, filters)
    overview.kpi_summary(cur, filters)
    measures.closed_deals_by_month(cur, filters)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        con = warehouse.connect(Path(tmp) / "bench.duckdb")
        gen_s, frames = _timed(lambda: generate(scale=args.scale))
        load_s, _ = _timed(
            lambda: warehouse.load_frames(con, frames, source="sample", is_sample=True)
        )
        rows = sum(len(f) for f in frames.values())
        print(f"scale {args.scale:g}: {rows:,} rows")
        print(
            f"sample generation: {gen_s:.2f} s; load: {load_s:.2f} s ({rows / load_s:,.0f} rows/s)"
        )
        first, as_of = sidebar.data_dates(con, Filters())
        views = {
            "last 12 months": Filters(*sidebar.preset_range("Last 12 months", as_of)),
            "all time": Filters(),
            "12 months, Enterprise + EMEA": Filters(
                *sidebar.preset_range("Last 12 months", as_of),
                segments=("Enterprise",),
                regions=("EMEA",),
            ),
        }
        for label, filters in views.items():
            cur = con.cursor()
            cold, _ = _timed(lambda f=filters, c=cur: overview_queries(c, f))
            warm = [
                _timed(lambda f=filters, c=cur: overview_queries(c, f))[0] for _ in range(args.runs)
            ]
            print(
                f"overview queries, {label}: first {cold * 1000:.0f} ms, "
                f"median of {args.runs} {statistics.median(warm) * 1000:.0f} ms"
            )


if __name__ == "__main__":
    main()
