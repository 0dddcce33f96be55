"""Measure the retention page's queries and the per-load summaries they read.

Usage: .venv/bin/python benchmarks/retention.py [--scale 1] [--runs 5]
Prints one line per figure. Timing stays out of the test suite on purpose.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from dashboard import retention, sidebar, summaries, warehouse
from dashboard.filters import Filters
from sample_data.generate import generate


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def page_queries(cur, filters: Filters, grain: str, basis: str, unbounded: bool) -> None:
    """Everything the retention page runs for one view: period tiles, cohorts (with notes)."""
    retention.period_retention(cur, filters)
    retention.cohorts(cur, filters, grain, basis, unbounded)


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
        orders = len(frames["orders"])
        print(f"scale {args.scale:g}: {orders:,} orders; whole load {load_s:.2f} s")
        for name in summaries.available():
            if name.startswith("retention_"):
                # The SQL is a file of this repository, never user input.
                sql = (summaries.SUMMARIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
                build = f'create or replace temp table "bench_{name}" as {sql}'
                seconds, _ = _timed(lambda b=build: con.execute(b))
                rows = warehouse.scalar(con, f'select count(*) from "bench_{name}"')  # noqa: S608
                print(f"summary {name}: {rows:,} rows, rebuilt in {seconds * 1000:.0f} ms")
        _, as_of = sidebar.data_dates(con, Filters())
        last_year = sidebar.preset_range("Last 12 months", as_of)
        views = {
            "default (last 12 months, monthly, first order)": (
                Filters(*last_year),
                "month",
                "first_order",
                False,
            ),
            "all time, weekly, first order, k or later": (Filters(), "week", "first_order", True),
            "last 12 months, quarterly, first won deal, Enterprise + EMEA": (
                Filters(*last_year, segments=("Enterprise",), regions=("EMEA",)),
                "quarter",
                "first_won_deal",
                False,
            ),
        }
        for label, options in views.items():
            cur = con.cursor()
            cold, _ = _timed(lambda o=options, c=cur: page_queries(c, *o))
            warm = [
                _timed(lambda o=options, c=cur: page_queries(c, *o))[0] for _ in range(args.runs)
            ]
            print(
                f"retention page queries, {label}: first {cold * 1000:.0f} ms, "
                f"median of {args.runs} {statistics.median(warm) * 1000:.0f} ms"
            )
        cur = con.cursor()
        cold, _ = _timed(lambda: retention.kpi_rows(cur, Filters()))
        print(f"kpis retention_by_offset (all time): {cold * 1000:.0f} ms")


if __name__ == "__main__":
    main()
