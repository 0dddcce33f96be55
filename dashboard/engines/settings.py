"""Which engine runs the query files: embedded DuckDB (default) or Spark, from configuration.

`CRM_DASHBOARD_ENGINE=duckdb|spark`. For Spark: `CRM_DASHBOARD_SPARK_URL` (a master URL such
as `local[2]` or `spark://host:7077`, or a Spark Connect URL `sc://host:15002`; default
`local[2]`) and `CRM_DASHBOARD_PARQUET` (the export-parquet folder or a lake URI the cluster
reads; default `parquet/` beside the warehouse file). Whatever the engine, imports, undo and
the load history stay on the embedded DuckDB warehouse.

Data functions receive a "cursor": a DuckDB cursor, or a SparkCursor that offers the same
`execute(sql, params).df()` for DuckDB SQL, so dashboard/core/queries.py and the data modules do
not change. This module does not import pyspark: the DuckDB path never loads a JVM.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb

from dashboard.engines.errors import EngineError
from dashboard.engines.parquet_export import is_local
from dashboard.store import warehouse

ENGINE_ENV = "CRM_DASHBOARD_ENGINE"
SPARK_URL_ENV = "CRM_DASHBOARD_SPARK_URL"
PARQUET_ENV = "CRM_DASHBOARD_PARQUET"
ENGINES = ("duckdb", "spark")
DEFAULT_SPARK_URL = "local[2]"
_first_export = threading.Lock()


def name() -> str:
    chosen = os.environ.get(ENGINE_ENV, "").strip().lower() or "duckdb"
    if chosen not in ENGINES:
        raise EngineError(
            f"{ENGINE_ENV}={chosen!r} is not an engine; use one of: {', '.join(ENGINES)}."
        )
    return chosen


def spark_url() -> str:
    return os.environ.get(SPARK_URL_ENV, "").strip() or DEFAULT_SPARK_URL


def parquet_location(db_path: Path) -> str:
    """Where the Spark engine reads the export: a local folder or a URI (s3a://, abfss://...)."""
    configured = os.environ.get(PARQUET_ENV, "").strip()
    if configured:
        return configured if "://" in configured else str(Path(configured).expanduser().resolve())
    return str(db_path.parent / "parquet")


def query_cursor(duck: duckdb.DuckDBPyConnection, db_path: Path):
    """The cursor data functions run on: `duck` itself, or a Spark cursor over the export.

    On Spark with a local export folder that holds no export yet (first start), the embedded
    warehouse (the sample, on a new install) is exported there first, so pages have data."""
    if name() == "duckdb":
        return duck
    from dashboard.engines import (
        spark as spark_engine,  # imports pyspark: only when Spark is chosen
    )

    location = parquet_location(db_path)
    with _first_export:
        if is_local(location) and not spark_engine.has_export(location):
            export_to(duck, location)
    return spark_engine.cursor(location, spark_url())


def export_to(duck: duckdb.DuckDBPyConnection, location: str):
    """Write the warehouse to a local export folder (the Spark engine sees it at once)."""
    from dashboard.engines import parquet_export

    return parquet_export.export(duck, Path(location.removeprefix("file://")))


def import_notice(db_path: Path) -> str | None:
    """What the import page says when the pages read from Spark."""
    if name() != "spark":
        return None
    location = parquet_location(db_path)
    how = (
        "press **Export to Parquet** below after a load or undo"
        if is_local(location)
        else "run `crm-dashboard export-parquet` and copy the folder there"
    )
    return (
        f"The pages read from **Spark** ({spark_url()}) over the Parquet export at "
        f"`{location}`. Imports, undo and the load history stay in the embedded DuckDB "
        f"warehouse; to show a load on the pages, {how}."
    )


def cache_identity(cur, db_path: Path) -> tuple[str, int]:
    """(source, data version) for cache keys: the DuckDB file and its version, or the Parquet
    export and the version the warehouse had when it was exported."""
    version = getattr(cur, "data_version", None)
    if callable(version):
        return cur.source(), version()
    return str(db_path), warehouse.data_version(cur)
