"""Measure the competitor page's queries on the sample.

Usage: .venv/bin/python benchmarks/competitors.py [--scale 1] [--runs 5]
Prints one line per figure. Timing stays out of the test suite on purpose.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from dashboard import competitors, sidebar, summaries, warehouse
from dashboard.filters import Filters
from sample_data.generate import generate


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def page_queries(cur, filters: Filters, whole_history: bool) -> None:
    """Every data function the competitor page calls for one view (as session.cached would
    on a cache miss): tiles and table, segments, colours, trend, loss reasons."""
    competitors.positioning(cur, filters)
    competitors.by_segment(cur, filters)
    competitors.names(cur, Filters())
    competitors.by_quarter(cur, filters, whole_history)
    competitors.loss_reasons(cur, filters)


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
        deals = len(frames["deals"])
        print(f"scale {args.scale:g}: {deals:,} deals; whole load {load_s:.2f} s")
        sql = (summaries.SUMMARIES_DIR / "deal_competitors.sql").read_text(encoding="utf-8")
        seconds, _ = _timed(lambda: con.execute(f"create temp table bench_dc as {sql}"))
        rows = warehouse.scalar(con, "select count(*) from bench_dc")
        print(f"summary deal_competitors: {rows:,} rows, rebuilt in {seconds * 1000:.0f} ms")
        _, as_of = sidebar.data_dates(con, Filters())
        last_year = sidebar.preset_range("Last 12 months", as_of)
        views = {
            "default (last 12 months)": (Filters(*last_year), False),
            "last 12 months, trend over the whole history": (Filters(*last_year), True),
            "all time": (Filters(), False),
            "last 12 months, Enterprise + EMEA": (
                Filters(*last_year, segments=("Enterprise",), regions=("EMEA",)),
                False,
            ),
        }
        for label, (filters, whole) in views.items():
            cur = con.cursor()
            cold, _ = _timed(lambda f=filters, w=whole, c=cur: page_queries(c, f, w))
            warm = [
                _timed(lambda f=filters, w=whole, c=cur: page_queries(c, f, w))[0]
                for _ in range(args.runs)
            ]
            print(
                f"competitor page queries, {label}: first {cold * 1000:.0f} ms, "
                f"median of {args.runs} {statistics.median(warm) * 1000:.0f} ms"
            )
        cur = con.cursor()
        cold, _ = _timed(lambda: competitors.kpi_rows(cur, Filters()))
        print(f"kpis competitors (all time): {cold * 1000:.0f} ms")


if __name__ == "__main__":
    main()
