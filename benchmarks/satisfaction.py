"""Measure the satisfaction page's queries and the per-load summary they read.

Usage: .venv/bin/python benchmarks/satisfaction.py [--scale 1] [--runs 5]
Prints one line per figure. Timing stays out of the test suite on purpose.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from dashboard import satisfaction, sidebar, summaries, warehouse
from dashboard.filters import Filters
from sample_data.generate import generate


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def page_queries(cur, filters: Filters, grain: str, rolling: int, dimension: str, search: str):
    """Everything the satisfaction page runs for one view, in the page's order."""
    minimum = satisfaction.MIN_RESPONSES
    satisfaction.headline(cur, filters, minimum)
    satisfaction.trend(cur, filters, grain, minimum, rolling)
    satisfaction.breakdown(cur, filters, dimension, minimum)
    satisfaction.behaviour(cur, filters, satisfaction.DEFAULT_WINDOW, minimum)
    satisfaction.verbatims(cur, filters, "", search)


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
            f"scale {args.scale:g}: {len(frames['surveys']):,} survey answers, "
            f"{len(frames['orders']):,} orders; whole load {load_s:.2f} s"
        )
        name = "satisfaction_responses"
        # The SQL is a file of this repository, never user input.
        sql = (summaries.SUMMARIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
        seconds, _ = _timed(lambda: con.execute(f"create or replace temp table bench as {sql}"))
        rows = warehouse.scalar(con, "select count(*) from bench")
        print(f"summary {name}: {rows:,} rows, rebuilt in {seconds * 1000:.0f} ms")
        _, as_of = sidebar.data_dates(con, Filters())
        last_year = Filters(*sidebar.preset_range("Last 12 months", as_of))
        views = {
            "default (last 12 months, NPS by month, by segment, 90-day window)": (
                last_year,
                "month",
                1,
                "segment",
                "",
            ),
            "all time, by week, rolling 6, by account owner, search 'pricing'": (
                Filters(),
                "week",
                6,
                "owner",
                "pricing",
            ),
            "last 12 months, Enterprise + EMEA, by quarter, by channel": (
                Filters(
                    last_year.start_date,
                    last_year.end_date,
                    segments=("Enterprise",),
                    regions=("EMEA",),
                ),
                "quarter",
                3,
                "channel",
                "",
            ),
        }
        for label, options in views.items():
            cur = con.cursor()
            cold, _ = _timed(lambda o=options, c=cur: page_queries(c, *o))
            warm = [
                _timed(lambda o=options, c=cur: page_queries(c, *o))[0] for _ in range(args.runs)
            ]
            print(
                f"satisfaction page queries, {label}: first {cold * 1000:.0f} ms, "
                f"median of {args.runs} {statistics.median(warm) * 1000:.0f} ms"
            )
        cur = con.cursor()
        parts = {
            "headline": lambda: satisfaction.headline(cur, last_year),
            "trend": lambda: satisfaction.trend(cur, last_year),
            "breakdown": lambda: satisfaction.breakdown(cur, last_year),
            "behaviour": lambda: satisfaction.behaviour(cur, last_year),
            "verbatims": lambda: satisfaction.verbatims(cur, last_year),
            "kpis satisfaction_by_month (all time)": lambda: satisfaction.kpi_rows(cur, Filters()),
        }
        for label, fn in parts.items():
            times = [_timed(fn)[0] for _ in range(args.runs)]
            print(f"  {label}: median of {args.runs} {statistics.median(times) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
