"""`crm-dashboard export-parquet`: the canonical tables as partitioned Parquet, for a lake.

The hardened connection refuses DuckDB's own `COPY ... TO` (external access is off and the
configuration is locked), and it should: a second, unhardened connection only for this command
would be one more way to write anywhere. So DuckDB only *reads* here, inside one transaction (a
consistent snapshot of every table), streaming Arrow record batches that pyarrow writes; no
table is ever held in memory whole.

Layout: `<out>/<table>/load_id=<n>/part-<i>.parquet` (hive partitioning by load, so a later
load adds a folder), plus `<out>/export.json`: the column names and DuckDB types of every table
(an empty table has no file to read a schema from) and the data version of the snapshot, which
the Spark engine shows as its own. Summaries are not exported: the Spark engine builds them from
the same queries/summaries/*.sql files, so they have one definition.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow.dataset as ds

from dashboard.store import warehouse

MANIFEST = "export.json"
# Besides the canonical tables: the load history, so "showing the sample" reads the same;
# the deals' archive and what loads and undos changed (migration 0013), for the changes_*
# query files.
EXPORTED_TABLES = (
    *warehouse.CANONICAL_TABLES,
    "loads",
    # The archives (rows later loads replaced) carry what an undo would bring back and what a
    # load changed: queries/undo_preview.sql and changes_*.sql read them on Spark too.
    *(f"archived_{table}" for table in warehouse.CANONICAL_TABLES),
    "change_events",
    "change_undone_deals",
)
PARTITION_COLUMN = "load_id"
BATCH_ROWS = 100_000


def is_local(location: str) -> bool:
    """True for an export folder on this machine (a path or file://), false for a lake URI."""
    return "://" not in location or location.startswith("file://")


class ExportError(warehouse.WarehouseError):
    """An export the user asked for that cannot be written (a non-export folder in the way)."""


@dataclass(frozen=True)
class ExportResult:
    out: Path
    rows: dict[str, int]
    data_version: int


def export(con: duckdb.DuckDBPyConnection, out: Path, batch_rows: int = BATCH_ROWS) -> ExportResult:
    """Write every exported table under `out`, replacing a previous export there atomically
    enough for a reader: the new tree is built beside it and renamed into place."""
    out = Path(out).expanduser().resolve()
    if out.exists() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise ExportError(
            f"{out} exists and is not a Parquet export (no {MANIFEST}); "
            "pass an empty or new folder to --out."
        )
    staging = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:8]}"
    out.parent.mkdir(parents=True, exist_ok=True)
    staging.mkdir(mode=0o700)
    cur = con.cursor()
    try:
        manifest = _write_snapshot(cur, staging, batch_rows)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        _private(staging)
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        cur.close()
    rows = {t: spec["rows"] for t, spec in manifest["tables"].items()}
    return ExportResult(out, rows, manifest["data_version"])


def _write_snapshot(cur: duckdb.DuckDBPyConnection, staging: Path, batch_rows: int) -> dict:
    tables = {}
    with warehouse.transaction(cur):  # one snapshot: no load can land between two tables
        version = warehouse.data_version(cur)
        for table in EXPORTED_TABLES:
            tables[table] = _write_table(cur, table, staging / table, batch_rows)
    return {
        "format": 1,
        "export_id": uuid.uuid4().hex,
        "exported_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "data_version": version,
        "partitioning": PARTITION_COLUMN,
        "tables": tables,
    }


def _write_table(cur: duckdb.DuckDBPyConnection, table: str, folder: Path, batch_rows: int) -> dict:
    # Table names come from EXPORTED_TABLES, never from a user.
    columns = cur.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'main' and table_name = $t order by ordinal_position",
        {"t": table},
    ).fetchall()
    rows = int(warehouse.scalar(cur, f'select count(*) from "{table}"'))  # noqa: S608
    folder.mkdir()
    if rows:
        reader = cur.sql(f'select * from "{table}"').to_arrow_reader(batch_rows)  # noqa: S608
        ds.write_dataset(
            reader,
            folder,
            format="parquet",
            partitioning=[PARTITION_COLUMN],
            partitioning_flavor="hive",
            basename_template="part-{i}.parquet",
            existing_data_behavior="error",
        )
    return {"rows": rows, "columns": [[name, dtype] for name, dtype in columns]}


def _private(folder: Path) -> None:
    """Every table, every row: readable by the app's user only (folders 0700, files 0600),
    before the export is renamed into place."""
    folder.chmod(0o700)
    for path in folder.rglob("*"):
        path.chmod(0o700 if path.is_dir() else 0o600)


def _swap(staging: Path, out: Path) -> None:
    if out.exists():
        retired = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
        os.replace(out, retired)
        os.replace(staging, out)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(staging, out)


def read_manifest(folder: Path) -> dict:
    """The export's manifest; a clear error when the folder holds no export."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise ExportError(
            f"{folder} holds no Parquet export ({MANIFEST} is missing); run "
            "`crm-dashboard export-parquet --out DIR` first."
        )
    return json.loads(path.read_text(encoding="utf-8"))
