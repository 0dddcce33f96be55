"""The DuckDB warehouse: one file, versioned schema, hardening, load history, data version."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.core import queries, resources
from dashboard.core.filters import EVERYTHING, Filters, Scope
from dashboard.store import change_log, macros, summaries

DB_ENV_VAR = "CRM_DASHBOARD_DB"
MEMORY_ENV_VAR = "CRM_DASHBOARD_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "1GB"  # DuckDB's buffers; beyond it, work spills to the temp folder
# Tables only. Versions 2 and 4-8 created and replaced the scope macros, which now live in
# queries/macros (applied on every open, see macros.py): their files are gone, so a new
# database never records those versions and one made before keeps them; numbers only grow.
MIGRATIONS_DIR = resources.folder("dashboard.store") / "migrations"

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
    "owners",
    "products",
)


class WarehouseError(RuntimeError):
    """A problem with the database file a user can act on (locked, unreadable, wrong columns)."""


class AlreadyLoaded(WarehouseError):
    """The file of the load at `index` in a batch is in effect already as load `load_id`: found
    inside the load's transaction, so two people pressing Load together never load it twice."""

    def __init__(self, index: int, load_id: int, file_name: str | None):
        super().__init__(f"{file_name or 'This file'} was already loaded as load {load_id}.")
        self.index, self.load_id, self.file_name = index, load_id, file_name


# Loads and undos of this process, one at a time: with DuckDB's snapshot isolation two
# transactions would each miss the other's uncommitted load of the same file (and the second
# to commit would fail on the data version row); in turn, the second sees the first's commit.
_writes = threading.RLock()


class DatabaseLocked(WarehouseError):
    """Another process holds the database file (a running app, say: see store/handover.py)."""


def default_db_path() -> Path:
    """`$CRM_DASHBOARD_DB`, else `$XDG_DATA_HOME/crm-dashboard/warehouse.duckdb`."""
    configured = os.environ.get(DB_ENV_VAR, "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    return _app_data_folder() / "warehouse.duckdb"


def _app_data_folder() -> Path:
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return (data_home / "crm-dashboard").resolve()


def import_dir(db_path: Path) -> Path:
    """The only folder DuckDB may read files from: uploads are copied here before parsing."""
    return db_path.parent / "imports"


def _harden(con: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    """Refuse file access outside the import folder, extensions, ATTACH/COPY and config changes."""
    if scalar(con, "select current_setting('lock_configuration')"):
        return  # this process opened the file before: the instance is hardened already
    # Order matters: folders first, then external access off, then the lock.
    spill = db_path.parent / f"{db_path.name}.tmp"
    con.execute("set temp_directory = $dir", {"dir": str(spill)})
    con.execute("set TimeZone = 'UTC'")  # timestamps with offsets are stored as UTC
    # Bounds the process's memory at a million deals (DuckDB's default is 80% of the RAM).
    limit = os.environ.get(MEMORY_ENV_VAR, "").strip() or DEFAULT_MEMORY_LIMIT
    con.execute("set memory_limit = $limit", {"limit": limit})
    con.execute("set allowed_directories = $dirs", {"dirs": [str(import_dir(db_path)), str(spill)]})
    for setting in (
        "enable_external_access",
        "autoload_known_extensions",
        "autoinstall_known_extensions",
    ):
        con.execute(f"set {setting} = false")
    con.execute("set lock_configuration = true")


def _private_folder(folder: Path) -> None:
    """The data folder: created 0700 (CRM data in it). An existing folder is tightened only
    when it is the app's own (`$XDG_DATA_HOME/crm-dashboard`); a folder chosen with --db or
    $CRM_DASHBOARD_DB may be shared (/tmp, a home folder) and is left as it is."""
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    elif folder.resolve() == _app_data_folder():
        folder.chmod(0o700)


def _private_files(path: Path) -> None:
    """The database file and its write-ahead log: 0600, whatever the umask made them."""
    for file in (path, path.with_name(f"{path.name}.wal")):
        try:
            if file.exists():
                file.chmod(0o600)
        except OSError:  # another user's file we may read: leave it as its owner set it
            pass


def connect(db_path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse file, hardened, with every migration applied,
    today's macros and current summaries."""
    path = Path(db_path) if db_path else default_db_path()
    _private_folder(path.parent)
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as exc:
        locked = "could not set lock" in str(exc).lower()
        raise (DatabaseLocked if locked else WarehouseError)(
            f"Cannot open the database {path}: {_first_line(exc)}. "
            "Another crm-dashboard process may hold it; stop it or pass another --db."
        ) from exc
    _private_files(path)
    # Only beside a file DuckDB accepted (a mistyped --db leaves no folder behind); uploads
    # hold personal data, so no other local user may read them.
    import_dir(path).mkdir(exist_ok=True)
    import_dir(path).chmod(0o700)
    if _set_up_in_this_process(con, path):
        # A command the app runs for the command line (store/handover.py): the app's instance
        # is set up; replacing its macros again could collide with an import it is running.
        return con
    _harden(con, path)
    migrate(con)
    with transaction(con):  # after the migrations: the macros read their tables
        macros.apply(con)
    with transaction(con):  # a crash keeps the old summaries, never half of the new ones
        summaries.build_stale(con)
    _SET_UP.add(path.resolve())
    return con


# Files this process opened and set up (hardening, migrations, macros, summaries).
_SET_UP: set[Path] = set()


def _set_up_in_this_process(con: duckdb.DuckDBPyConnection, path: Path) -> bool:
    """True when this connection joins a DuckDB instance this process set up and still holds
    (DuckDB hands a second connect to the same file the same instance); a new instance, even
    of a file set up before, is hardened and checked again."""
    hardened = scalar(con, "select current_setting('lock_configuration')")
    return bool(hardened) and path.resolve() in _SET_UP


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
    """Apply pending migrations, each in its own transaction; returns the versions applied.
    Pending = not recorded in schema_migrations, not merely above the highest recorded: a
    file made by a build that had migration N+1 but not yet N still gets N."""
    con.execute(
        "create table if not exists schema_migrations "
        "(version integer primary key, name varchar not null, applied_at timestamp not null)"
    )
    done = {row[0] for row in con.execute("select version from schema_migrations").fetchall()}
    applied = []
    for migration in available_migrations():
        if migration.version in done:
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


def load_history(
    con: duckdb.DuckDBPyConnection,
    *,
    include_undone: bool,
    scope: Scope,
    table_separator: str = ", ",
) -> pd.DataFrame:
    """The loads, newest first (queries/load_history.sql): the one query behind the import
    page's history, `crm-dashboard loads` and active_loads. Rows only for a reader whose
    `scope` is everything (analysts, admins). table_names comes as one string, the names
    joined by table_separator."""
    params = {"include_undone": include_undone, **Filters(scope=scope).scope_params()}
    frame = queries.run(con, "load_history", params)
    # infer_objects: the dtype DuckDB gives a text column (str, or object when empty or null)
    frame["table_names"] = frame["table_names"].str.join(table_separator).infer_objects()
    frame["state"] = [
        load_state(undone, by)
        for undone, by in zip(frame["undone_at"], frame["superseded_by"], strict=True)
    ]
    return frame


def load_state(undone_at: object, superseded_by: object) -> str:
    """'in effect', 'undone', or 'remapped as load N' for a load a remap replaced (undoing
    load N brings it back)."""
    if not pd.isna(superseded_by):
        return f"remapped as load {int(superseded_by)}"
    return "in effect" if pd.isna(undone_at) else "undone"


def active_loads(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Loads that are in effect (not undone), newest first. For the product's own decisions
    (is only the sample loaded?), asked the same for everyone: read with no grant to narrow."""
    history = load_history(con, include_undone=False, scope=EVERYTHING)
    return history[
        ["load_id", "source", "file_name", "rows_loaded", "rows_rejected", "is_sample", "loaded_at"]
    ]


def is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    return scalar(con, "select count(*) from loads where undone_at is null") == 0


# The key a newer row replaces an older one by. deal_stage_history: a deal's whole history is
# replaced when a load brings history for that deal.
REPLACE_KEYS = {
    "accounts": ("account_id",),
    "pipeline_stages": ("pipeline", "stage"),
    "deals": ("deal_id",),
    "deal_stage_history": ("deal_id",),
    "activities": ("activity_id",),
    "orders": ("order_id",),
    "surveys": ("response_id",),
    "tickets": ("ticket_id",),
    "owners": ("owner",),
    "products": ("product",),
}

# Each load's rows of these tables are stored sorted by this column, so one account's rows sit
# together and the min-max index of each row group skips the others: an account's drill-down
# (queries/health_account_timeline.sql) reads a row group or two per load instead of every row.
# At a million deals: 10.5M activities 91 -> 1.2 ms, orders 21 -> 0.9, deals 15 -> 1.9 for one
# account; the load pays for the sort (+3.4 s for those activities). Rows loaded before this
# keep their order until loaded again.
CLUSTER_KEYS = {
    "deals": "account_id",
    "activities": "account_id",
    "orders": "account_id",
    "surveys": "account_id",
}


@dataclass(frozen=True)
class LoadInfo:
    """What the loads table records about a load besides its rows."""

    source: str
    file_name: str | None = None
    checksum: str | None = None
    is_sample: bool = False
    user_name: str | None = None
    vendor: str | None = None
    rows_rejected: int = 0
    details: str | None = None  # JSON


def load_frames(
    con: duckdb.DuckDBPyConnection,
    frames: Mapping[str, pd.DataFrame],
    *,
    source: str,
    file_name: str | None = None,
    checksum: str | None = None,
    is_sample: bool = False,
) -> int:
    """Load DataFrames into canonical tables as one load (see load_relations)."""
    for table, frame in frames.items():
        _check_columns(con, table, list(frame.columns))
        con.register(f"incoming_{table}", frame)
    try:
        info = LoadInfo(source, file_name, checksum, is_sample)
        return load_relations(con, {t: f"incoming_{t}" for t in frames}, info)
    finally:
        for table in frames:
            con.unregister(f"incoming_{table}")


def load_relations(
    con: duckdb.DuckDBPyConnection,
    sources: Mapping[str, str],
    info: LoadInfo,
    undoing: Sequence[int] = (),
    superseding: Sequence[int] = (),
) -> int:
    """Load views/tables already in `con` (name per canonical table) as one load.

    In one transaction: the loads in `undoing` are undone first (the sample a first import
    removes: a crash must not leave the import without the removal), rows whose key is already
    present are moved to the table's archive (so undo can restore them), the new rows are
    inserted, summaries are rebuilt, the load is recorded and the data version moves. Either
    all of it happens or none of it. The loads in `superseding` (a remap's old load) have all
    their rows archived as replaced by the new load: undoing the new load brings them back.
    """
    return load_batch(con, [(sources, info)], undoing, superseding)[0]


def load_batch(
    con: duckdb.DuckDBPyConnection,
    batch: Sequence[tuple[Mapping[str, str], LoadInfo]],
    undoing: Sequence[int] = (),
    superseding: Sequence[int] = (),
) -> list[int]:
    """Several loads (files dropped together, in the order given) in one transaction: each is
    recorded and can be undone on its own, but they land all together or not at all. Returns
    the load ids, in order. See load_relations for what each load does; `superseding` is
    superseded by the first load."""
    for sources, _ in batch:
        for table, relation in sources.items():
            _check_columns(con, table, _relation_columns(con, relation))
    load_ids: list[int] = []
    with _writes, transaction(con):
        kpis_before = change_log.snapshot(con)
        for old in undoing:
            _undo_rows(con, old)
        for n, (sources, info) in enumerate(batch):
            if not (superseding and n == 0):  # a remap reloads its own file on purpose
                _refuse_a_second_copy(con, n, info, load_ids)
            load_id = int(scalar(con, "select nextval('load_id_seq')"))
            for old in superseding if n == 0 else ():
                _supersede(con, old, load_id)
            rows = 0
            for table, relation in sources.items():
                _archive_replaced(con, table, relation, load_id)
                rows += _append(con, table, relation, load_id)
            _record_load(con, load_id, list(sources), rows, info)
            load_ids.append(load_id)
        changed = {table for sources, _ in batch for table in sources}
        if undoing or superseding:
            summaries.rebuild(con)
        else:  # only the summaries these tables feed, and keyed ones only for the keys loaded
            summaries.refresh(con, changed, summaries.collect_keys(con, changed, load_ids))
        change_log.record(con, "load", load_ids, kpis_before)
    return load_ids


def _refuse_a_second_copy(
    con: duckdb.DuckDBPyConnection, index: int, info: LoadInfo, this_batch: list[int]
) -> None:
    """Raise AlreadyLoaded when a load in effect, committed before this batch, has the same
    checksum (inside the caller's transaction: the inspection's check may be stale). Two
    identical files dropped together still load as two, as before."""
    if info.checksum is None or info.is_sample:
        return
    found = scalar(
        con,
        "select max(load_id) from loads where checksum = $c and undone_at is null"
        " and not list_contains($mine, load_id)",
        {"c": info.checksum, "mine": this_batch},
    )
    if found is not None:
        raise AlreadyLoaded(index, int(found), info.file_name)


def _supersede(con: duckdb.DuckDBPyConnection, old: int, load_id: int) -> None:
    """Move every row of load `old` to the archives as replaced by `load_id` (inside the
    caller's transaction); the old load is no longer in effect until `load_id` is undone."""
    params = {"old": old, "new": load_id, "now": _now()}
    for table in CANONICAL_TABLES:
        con.execute(
            f'insert into "archived_{table}" select *, $new from "{table}" where load_id = $old',
            {"old": old, "new": load_id},
        )
        con.execute(f'delete from "{table}" where load_id = $old', {"old": old})
    con.execute(
        "update loads set undone_at = $now, superseded_by = $new where load_id = $old", params
    )


def _relation_columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    return [d[0] for d in con.execute(f'select * from "{relation}" limit 0').description]


def _key_match(table: str, left: str, right: str) -> str:
    return " and ".join(f'{left}."{k}" = {right}."{k}"' for k in REPLACE_KEYS[table])


def _archive_replaced(
    con: duckdb.DuckDBPyConnection, table: str, relation: str, load_id: int
) -> None:
    # Identifiers come from CANONICAL_TABLES / REPLACE_KEYS and the loader's own view names.
    match = f'exists (select 1 from "{relation}" n where {_key_match(table, "t", "n")})'
    con.execute(
        f'insert into "archived_{table}" select t.*, $load_id from "{table}" t where {match}',
        {"load_id": load_id},
    )
    con.execute(f'delete from "{table}" t where {match}')


def _append(con: duckdb.DuckDBPyConnection, table: str, relation: str, load_id: int) -> int:
    key = CLUSTER_KEYS.get(table)
    order = f' order by "{key}"' if key in _relation_columns(con, relation) else ""
    return int(
        con.execute(
            f'insert into "{table}" by name select *, $load_id as load_id from "{relation}"{order}',
            {"load_id": load_id},
        ).fetchall()[0][0]
    )


def _record_load(
    con: duckdb.DuckDBPyConnection, load_id: int, tables: list[str], rows: int, info: LoadInfo
) -> None:
    con.execute(
        "insert into loads (load_id, source, file_name, checksum, table_names, rows_loaded,"
        " rows_rejected, is_sample, loaded_at, user_name, vendor, details) values ($load_id,"
        " $source, $file_name, $checksum, $tables, $rows, $rows_rejected, $is_sample,"
        " $loaded_at, $user_name, $vendor, $details)",
        {
            "load_id": load_id,
            "tables": tables,
            "rows": rows,
            "loaded_at": _now(),
            **{k: getattr(info, k) for k in LoadInfo.__dataclass_fields__},
        },
    )
    _bump_version(con)


def _bump_version(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("update warehouse_state set data_version = data_version + 1")


def _check_columns(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> None:
    if table not in CANONICAL_TABLES:
        raise WarehouseError(f"{table!r} is not a canonical table ({', '.join(CANONICAL_TABLES)}).")
    unknown = set(columns) - set(table_columns(con, table)) | ({"load_id"} & set(columns))
    if unknown:
        raise WarehouseError(f"Table {table} has no column(s) {sorted(unknown)}.")


def undo_load(con: duckdb.DuckDBPyConnection, load_id: int) -> int:
    """Reverse one load: its rows go, the rows it replaced come back. Returns rows removed."""
    found = con.execute(
        "select undone_at, superseded_by from loads where load_id = $id", {"id": load_id}
    ).fetchall()
    if not found:
        raise WarehouseError(f"There is no load {load_id}; `crm-dashboard loads` lists them.")
    if found[0][1] is not None:
        raise WarehouseError(
            f"Load {load_id} was remapped as load {found[0][1]}; undo load {found[0][1]} "
            "to bring it back."
        )
    if found[0][0] is not None:
        raise WarehouseError(f"Load {load_id} was already undone on {found[0][0]:%Y-%m-%d %H:%M}.")
    with _writes, transaction(con):
        change_log.record(con, "undo", [load_id], change_log.snapshot(con))
        tables = _load_tables(con, load_id)
        keys = summaries.collect_keys(con, tables, [load_id])  # before its rows go
        removed = _undo_rows(con, load_id)
        summaries.refresh(con, tables, keys)
    return removed


def _load_tables(con: duckdb.DuckDBPyConnection, load_id: int) -> list[str]:
    """The tables an undo of `load_id` changes: those holding its rows or rows it replaced
    (a remap's load replaced rows of tables it may not load itself)."""
    return [
        table
        for table in CANONICAL_TABLES
        if scalar(
            con,
            f'select exists (select 1 from "{table}" where load_id = $id)'
            f' or exists (select 1 from "archived_{table}" where replaced_by_load = $id)',
            {"id": load_id},
        )
    ]


def _undo_rows(con: duckdb.DuckDBPyConnection, load_id: int) -> int:
    """Undo one load inside the caller's transaction (summaries are the caller's)."""
    removed = 0
    for table in CANONICAL_TABLES:
        removed += _undo_table(con, table, load_id)
    con.execute(
        "update loads set undone_at = $now where load_id = $id", {"now": _now(), "id": load_id}
    )
    # A remap undone: the load it superseded is in effect again (its rows came back above).
    con.execute(
        "update loads set undone_at = null, superseded_by = null where superseded_by = $id",
        {"id": load_id},
    )
    _bump_version(con)
    return removed


def _undo_table(con: duckdb.DuckDBPyConnection, table: str, load_id: int) -> int:
    params = {"id": load_id}
    removed = int(
        con.execute(f'delete from "{table}" where load_id = $id', params).fetchall()[0][0]
    )
    # Rows this load replaced come back unless a later load has that key now; then that later
    # load counts as their replacer, so undoing it later brings them back.
    current = f'(select t.* from "{table}" t where {_key_match(table, "t", "a")})'
    con.execute(
        f'update "archived_{table}" a set replaced_by_load = (select max(load_id) from {current})'
        f" where a.replaced_by_load = $id and exists {current}",
        params,
    )
    con.execute(
        f'insert into "{table}" select * exclude (replaced_by_load) from "archived_{table}"'
        " where replaced_by_load = $id",
        params,
    )
    # This load's own rows that later loads archived must never come back.
    con.execute(
        f'delete from "archived_{table}" where replaced_by_load = $id or load_id = $id',
        params,
    )
    return removed


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
    def cursor(cls, db_path: Path) -> duckdb.DuckDBPyConnection:
        """A new cursor of the process's connection, made one at a time: two threads asking
        the same connection for a cursor at once can find it busy."""
        con = cls.get(db_path)
        with cls._lock:
            return con.cursor()

    @classmethod
    def close_all(cls) -> None:
        with cls._lock:
            for con in cls._connections.values():
                con.close()
            cls._connections.clear()
