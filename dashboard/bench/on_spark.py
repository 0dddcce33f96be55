"""`crm-dashboard bench --engine spark`: each page's recorded calls replayed on Spark.

Opt-in, so the default bench needs no JVM: pyspark is imported only here. The warehouse is
exported to Parquet (what the Spark engine reads), a SparkSession starts in local mode, the
Spark engine registers the export and builds the summaries, then every page's calls (the same
ones the DuckDB figures replay) run once (first) and `runs` more times (warm, median). Spark
runs in its own JVM, so only wall time means anything here.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from pathlib import Path

import duckdb

from dashboard.bench.clock import timed
from dashboard.bench.page_calls import Call, replay


def is_local_master(master: str) -> bool:
    """The bench hands Spark a local Parquet folder, so it runs Spark in local mode only."""
    return master == "local" or master.startswith("local[")


def measure(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    calls: dict[str, Sequence[Call]],
    master: str,
    runs: int,
) -> dict[str, object]:
    """Start-up (export, session, registration) and per page first and warm milliseconds."""
    from dashboard.engines import parquet_export
    from dashboard.engines import spark as spark_engine  # imports pyspark

    location = folder / "parquet"
    export_s, _ = timed(lambda: parquet_export.export(con, location))
    session_s, spark = timed(lambda: spark_engine.session(master))
    register_s, cur = timed(lambda: spark_engine.cursor(str(location), master))
    pages = {}
    try:
        for page, page_calls in calls.items():
            cold, _ = timed(lambda c=page_calls: replay(cur, c))
            warm = [timed(lambda c=page_calls: replay(cur, c))[0] for _ in range(runs)]
            pages[page] = {"cold_ms": cold * 1000, "warm_ms": statistics.median(warm) * 1000}
    finally:
        spark.stop()
    return {
        "master": master,
        "export_parquet_s": export_s,
        "session_start_s": session_s,
        "register_s": register_s,
        "pages": pages,
    }
