"""Spark engine: start-up time, and each page's queries on DuckDB and on Spark (local mode).

Usage: .venv/bin/python -m benchmarks.spark [--scale 0.05] [--runs 3] [--master local[2]]
Prints one line per figure: the export, Spark's session start, registering the export and
building the summaries, then per page the first run and the median of warm runs on each
engine (default filters: the last 12 months). Timing stays out of the test suite on purpose.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from benchmarks import competitors, funnel, health, overview, retention, satisfaction
from benchmarks.harness import last_12_months, timed
from dashboard import parquet_export, sample, warehouse


def pages(year) -> dict:
    """Every data function each page runs for one view with its default widgets."""
    return {
        "overview": lambda c: overview.overview_queries(c, year),
        "funnel": lambda c: funnel.pipeline_view(c, year),
        "retention": lambda c: retention.page_queries(c, year, "month", "first_order", False),
        "satisfaction": lambda c: satisfaction.page_queries(c, year, "month", 1, "segment", ""),
        "competitors": lambda c: competitors.page_queries(c, year, False),
        "health": lambda c: health.page_queries(c, year),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        con = warehouse.connect(Path(tmp) / "bench.duckdb")
        sample.load_sample(con, scale=args.scale)
        seconds, result = timed(lambda: parquet_export.export(con, Path(tmp) / "parquet"))
        print(f"scale {args.scale:g}: export-parquet {seconds:.2f} s ({result.rows})")

        from dashboard import spark_engine

        seconds, _ = timed(lambda: spark_engine.session(args.master))
        print(f"Spark session start ({args.master}): {seconds:.1f} s")
        seconds, cur = timed(lambda: spark_engine.cursor(str(Path(tmp) / "parquet"), args.master))
        print(f"register the export and build the summaries on Spark: {seconds:.1f} s")

        year = last_12_months(con)
        for page, run in pages(year).items():
            for engine_name, engine_cur in (("duckdb", con.cursor()), ("spark", cur)):
                cold, _ = timed(lambda r=run, c=engine_cur: r(c))
                warm = [timed(lambda r=run, c=engine_cur: r(c))[0] for _ in range(args.runs)]
                print(
                    f"{page:<13} {engine_name:<7} first {cold * 1000:8.0f} ms, "
                    f"median of {args.runs} {statistics.median(warm) * 1000:8.0f} ms"
                )
        con.close()


if __name__ == "__main__":
    main()
