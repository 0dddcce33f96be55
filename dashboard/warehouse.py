"""The DuckDB warehouse: one file, versioned schema, hardening, load history, data version."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from dashboard import summaries

DB_ENV_VAR = "CRM_DASHBOARD_DB"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Tables an export (or the sample) is mapped into, in load order.
CANONICAL_TABLES = (
    "accounts",
    "pipeline_stages",
    "deals",
    "deal_stage_history",
    "activities",
    "orders",
    "surveys",
    "tickets",
)


class WarehouseError(RuntimeError):
    """A problem with the database file a user can act on (locked, unreadable, wrong columns)."""


def default_db_path() -> Path:
    """`$CRM_DASHBOARD_DB`, else `$XDG_DATA_HOME/crm-dashboard/warehouse.duckdb`."""
    configured = os.environ.get(DB_ENV_VAR, "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return (data_home / "crm-dashboard" / "warehouse.duckdb").resolve()


def import_dir(db_path: Path) -> Path:
    """The only folder DuckDB may read files from: uploads are copied here before parsing."""
    return db_path.parent / "imports"


def _harden(con: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    """Refuse file access outside the import folder, extensions, ATTACH/COPY and config changes."""
    # Order matters: folders first, then external access off, then the lock.
    spill = db_path.parent / f"{db_path.name}.tmp"
    con.execute("set temp_directory = $dir", {"dir": str(spill)})
    con.execute("set allowed_directories = $dirs", {"dirs": [str(import_dir(db_path)), str(spill)]})
    for setting in (
        "enable_external_access",
        "autoload_known_extensions",
        "autoinstall_known_extensions",
    ):
        con.execute(f"set {setting} = false")
    con.execute("set lock_configuration = true")


def connect(db_path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse file, hardened, with every migration applied."""
    path = Path(db_path) if db_path else default_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    import_dir(path).mkdir(exist_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as exc:
        raise WarehouseError(
            f"Cannot open the database {path}: {_first_line(exc)}. "
            "Another crm-dashboard process may hold it; stop it or pass another --db."
        ) from exc
    _harden(con, path)
    migrate(con)
    return con


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    """Migration files `NNNN_name.sql`, in version order; the number is the schema version."""
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql")):
        number, _, name = path.stem.partition("_")
        found.append(Migration(int(number), name, path.read_text(encoding="utf-8")))
    return found


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    return int(scalar(con, "select coalesce(max(version), 0) from schema_migrations"))


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply pending migrations, each in its own transaction; returns the versions applied."""
    con.execute(
        "create table if not exists schema_migrations "
        "(version integer primary key, name varchar not null, applied_at timestamp not null)"
    )
    current = schema_version(con)
    applied = []
    for migration in available_migrations():
        if migration.version <= current:
            continue
        with transaction(con):
            con.execute(migration.sql)
            con.execute(
                "insert into schema_migrations values ($version, $name, $applied_at)",
                {"version": migration.version, "name": migration.name, "applied_at": _now()},
            )
        applied.append(migration.version)
    return applied


class transaction:  # noqa: N801 - used as a statement-like context manager
    """`with transaction(cur):` commits on success and rolls back on any exception."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        self.con.execute("begin transaction")
        return self.con

    def __exit__(self, exc_type, exc, tb) -> bool:
        self.con.execute("rollback" if exc_type else "commit")
        return False


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping | None = None) -> object:
    """The single value a query returns; drains the result so the cursor is free again."""
    return con.execute(sql, params or {}).fetchall()[0][0]


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """A number that changes with every load and undo: part of every cache key."""
    return int(scalar(con, "select data_version from warehouse_state"))


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'main' and table_name = $table order by ordinal_position",
        {"table": table},
    ).fetchall()
    return [r[0] for r in rows]


def active_loads(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Loads that are in effect (not undone), newest first."""
    return con.execute(
        "select load_id, source, file_name, rows_loaded, rows_rejected, is_sample, loaded_at "
        "from loads where undone_at is null order by load_id desc"
    ).df()


def is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    return scalar(con, "select count(*) from loads where undone_at is null") == 0


def load_frames(
    con: duckdb.DuckDBPyConnection,
    frames: Mapping[str, pd.DataFrame],
    *,
    source: str,
    file_name: str | None = None,
    checksum: str | None = None,
    is_sample: bool = False,
) -> int:
    """Append frames to canonical tables as one load, in one transaction; returns the load id.

    Either every row lands, the load is recorded and the data version moves, or nothing changes.
    """
    for table, frame in frames.items():
        _check_frame(con, table, frame)
        con.register(f"incoming_{table}", frame)
    try:
        with transaction(con):
            load_id = int(scalar(con, "select nextval('load_id_seq')"))
            for table in frames:
                _append(con, table, load_id)
            summaries.rebuild(con)
            _record_load(
                con,
                load_id,
                list(frames),
                sum(len(f) for f in frames.values()),
                source=source,
                file_name=file_name,
                checksum=checksum,
                is_sample=is_sample,
            )
    finally:
        for table in frames:
            con.unregister(f"incoming_{table}")
    return load_id


def _record_load(
    con: duckdb.DuckDBPyConnection, load_id: int, tables: list[str], rows: int, **details: object
) -> None:
    con.execute(
        "insert into loads (load_id, source, file_name, checksum, table_names, rows_loaded,"
        " is_sample, loaded_at) values ($load_id, $source, $file_name, $checksum, $tables,"
        " $rows, $is_sample, $loaded_at)",
        {"load_id": load_id, "tables": tables, "rows": rows, "loaded_at": _now(), **details},
    )
    con.execute("update warehouse_state set data_version = data_version + 1")


def _check_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if table not in CANONICAL_TABLES:
        raise WarehouseError(f"{table!r} is not a canonical table ({', '.join(CANONICAL_TABLES)}).")
    unknown = set(frame.columns) - set(table_columns(con, table)) | ({"load_id"} & set(frame))
    if unknown:
        raise WarehouseError(f"Table {table} has no column(s) {sorted(unknown)}.")


def _append(con: duckdb.DuckDBPyConnection, table: str, load_id: int) -> None:
    # The table name comes from CANONICAL_TABLES (checked above), never from a user.
    con.execute(
        f'insert into "{table}" by name select *, $load_id as load_id from "incoming_{table}"',  # noqa: S608
        {"load_id": load_id},
    )


class SharedConnection:
    """One DuckDB connection per process and file; each session or thread takes its own cursor."""

    _lock = threading.Lock()
    _connections: dict[Path, duckdb.DuckDBPyConnection] = {}

    @classmethod
    def get(cls, db_path: Path) -> duckdb.DuckDBPyConnection:
        with cls._lock:
            if db_path not in cls._connections:
                cls._connections[db_path] = connect(db_path)
            return cls._connections[db_path]

    @classmethod
    def close_all(cls) -> None:
        with cls._lock:
            for con in cls._connections.values():
                con.close()
            cls._connections.clear()
