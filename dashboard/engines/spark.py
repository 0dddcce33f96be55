"""The Spark engine: one SparkSession per process, the Parquet export as temp views, the
summaries computed on Spark from the same files, and a cursor that runs DuckDB SQL.

Summaries (queries/summaries/*.sql) are computed here from the same files and cached, not
exported: the export stays the canonical hand-off a lake expects, a summary keeps one
definition, and CI proves those files run on Spark too. They are rebuilt when the export
changes (a new export_id in export.json).

Results come back through Arrow and are turned into pandas by DuckDB's own conversion, so a
frame has the same dtypes whichever engine ran the query (dates, decimals, counts).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
import warnings
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
from sqlglot import exp

from dashboard.engines import spark_sql
from dashboard.engines.errors import EngineError
from dashboard.engines.parquet_export import MANIFEST, is_local
from dashboard.store import summaries

# pyspark warns about pandas 3 on import; this engine converts through Arrow, not pyspark.pandas.
warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
try:
    from pyspark.sql import SparkSession
except ImportError as missing:  # pragma: no cover - depends on the install
    raise EngineError(
        "CRM_DASHBOARD_ENGINE=spark needs pyspark: install the project with "
        "`pip install -e '.[spark]'` (make install does)."
    ) from missing

log = logging.getLogger(__name__)
REMOTE_MANIFEST_TTL_SECONDS = 60.0
_lock = threading.Lock()
_engines: dict[tuple[str, str], SparkEngine] = {}


def session(url: str) -> SparkSession:
    """The process's SparkSession: local/cluster master URL, or Spark Connect for sc://."""
    builder = SparkSession.builder.appName("crm-dashboard")
    if url.startswith("sc://"):
        builder = builder.remote(url)
    else:
        builder = (
            builder.master(url)
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
        )
    if is_local_master(url):
        # One machine, small data: planning and task start-up cost more than the work, so
        # one shuffle partition, no adaptive re-planning and no whole-stage code generation
        # (measured: about 3x faster per page query here). A cluster keeps Spark's defaults.
        for key, value in LOCAL_SETTINGS.items():
            builder = builder.config(key, value)
    spark = (
        builder.config("spark.sql.session.timeZone", "UTC")
        # DuckDB TIMESTAMP has no time zone; TIMESTAMP_NTZ keeps that meaning.
        .config("spark.sql.timestampType", "TIMESTAMP_NTZ")
        .getOrCreate()
    )
    if not url.startswith("sc://"):
        spark.sparkContext.setLogLevel("FATAL")  # errors reach Python as exceptions
    return spark


LOCAL_SETTINGS = {
    "spark.sql.shuffle.partitions": "1",
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.codegen.wholeStage": "false",
}


def is_local_master(url: str) -> bool:
    return url == "local" or url.startswith("local[")


def has_export(location: str) -> bool:
    return (Path(location.removeprefix("file://")) / MANIFEST).is_file()


def cursor(location: str, url: str) -> SparkCursor:
    key = (location, url)
    with _lock:
        if key not in _engines:
            _engines[key] = SparkEngine(location, url)
    return SparkCursor(_engines[key])


def spark_type(duckdb_type: str) -> str:
    """A DuckDB column type as Spark DDL (TIMESTAMP -> TIMESTAMP_NTZ, VARCHAR[] -> ARRAY)."""
    return exp.DataType.build(duckdb_type, dialect="duckdb").sql("spark")


class SparkEngine:
    """Temp views over one Parquet export; refreshed when the export is replaced."""

    def __init__(self, location: str, url: str):
        self.location = location.rstrip("/")
        self.url = url
        self.spark = session(url)
        self._lock = threading.RLock()
        self._manifest: dict | None = None
        self._checked_at = 0.0
        self.refresh()

    def _read_manifest(self) -> dict:
        if is_local(self.location):
            path = Path(self.location.removeprefix("file://")) / MANIFEST
            if not path.is_file():
                raise EngineError(
                    f"{path.parent} holds no Parquet export; run "
                    "`crm-dashboard export-parquet --out DIR` and set CRM_DASHBOARD_PARQUET."
                )
            return json.loads(path.read_text(encoding="utf-8"))
        text = self.spark.read.text(f"{self.location}/{MANIFEST}", wholetext=True).first()[0]
        return json.loads(text)

    def refresh(self) -> None:
        """Re-read export.json (remote: at most once a minute); on a new export, re-register."""
        with self._lock:
            recent = time.monotonic() - self._checked_at < REMOTE_MANIFEST_TTL_SECONDS
            if not is_local(self.location) and self._manifest is not None and recent:
                return
            manifest = self._read_manifest()
            self._checked_at = time.monotonic()
            if self._manifest and manifest["export_id"] == self._manifest["export_id"]:
                return
            started = time.perf_counter()
            self._register(manifest)
            self._manifest = manifest
            log.info(
                "Spark: export %s registered in %.1fs",
                manifest["export_id"],
                time.perf_counter() - started,
            )

    def _register(self, manifest: dict) -> None:
        for table, spec in manifest["tables"].items():
            columns = [name for name, _ in spec["columns"]]
            ddl = ", ".join(f"`{name}` {spark_type(dtype)}" for name, dtype in spec["columns"])
            frame = self.spark.read.schema(ddl).parquet(f"{self.location}/{table}")
            frame = frame.select(*columns)
            if is_local_master(self.url):
                # Local mode means the data fits one machine: keep it in memory rather than
                # open every Parquet file again for each query.
                frame = frame.localCheckpoint(eager=True)
            frame.createOrReplaceTempView(table)
        for name in summaries.available():  # name order: a summary may read earlier ones
            if summaries.is_served(name):
                continue  # a page query's stored rows: on Spark the query itself runs
            select = summaries.select_text(name)
            # Materialised (a local checkpoint cuts the lineage): a query reading a summary
            # must not recompute it, nor the summaries it was built from.
            frame = self.spark.sql(spark_sql.to_spark(select)).localCheckpoint(eager=True)
            frame.createOrReplaceTempView(f"summary_{name}")

    @property
    def manifest(self) -> dict:
        self.refresh()
        assert self._manifest is not None
        return self._manifest

    def run(self, duckdb_sql: str, params: Mapping[str, object] | None = None) -> pa.Table:
        """A DuckDB SELECT run on Spark with its parameters bound, as an Arrow table."""
        self.refresh()
        text = spark_sql.to_spark(duckdb_sql)
        args = {k: spark_value(v) for k, v in (params or {}).items()}
        return self.spark.sql(text, args=args or None).toArrow()


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """DuckDB's own Arrow-to-pandas conversion: the same dtypes as a DuckDB cursor's df()."""
    with duckdb.connect() as con:
        return con.from_arrow(table).df()


def spark_value(value: object) -> object:
    """A parameter value as Spark binds it: tuples become lists (arrays), numpy and pandas
    scalars plain Python, a pandas Timestamp a datetime; None stays NULL."""
    if isinstance(value, tuple | list):
        return [spark_value(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime | dt.date | str | int | float | bool) or value is None:
        return value
    raise TypeError(f"Cannot bind a {type(value).__name__} as a Spark parameter.")


class SparkCursor:
    """What data functions use as `cur`: execute(DuckDB SQL, params) then df()/fetchall()."""

    engine_name = "spark"

    def __init__(self, spark_engine: SparkEngine):
        self._engine = spark_engine
        self._result: pa.Table | None = None

    def execute(self, sql: str, params: Mapping[str, object] | None = None) -> SparkCursor:
        self._result = self._engine.run(sql, params)
        return self

    def _fetched(self) -> pa.Table:
        if self._result is None:
            raise RuntimeError("Call execute() before fetching a result.")
        return self._result

    def df(self) -> pd.DataFrame:
        return to_pandas(self._fetched())

    def fetchall(self) -> list[tuple]:
        return [tuple(row.values()) for row in self._fetched().to_pylist()]

    def data_version(self) -> int:
        return int(self._engine.manifest["data_version"])

    def source(self) -> str:
        return f"{self._engine.location}#{self._engine.manifest['export_id']}"

    def cursor(self) -> SparkCursor:
        return SparkCursor(self._engine)
