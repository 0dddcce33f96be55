"""Tables every page would otherwise recompute on each click, rebuilt once per load or undo.

Each `queries/summaries/<name>.sql` is one SELECT with no parameters; its result is stored as
table `summary_<name>`. `rebuild` runs inside the load's own transaction, so a reader never sees
new data with old summaries (or the reverse). Files run in name order: a summary may read the
summaries whose names sort before its own (funnel_pipeline_steps before funnel_stage_entries).

A summary whose rows for one key depend only on the rows with that key in some of its inputs
says so in a header line, `-- Incremental by deal_id: deals, deal_stage_history`: after a load
or undo that changed no other input it reads, only the rows of the keys the load touched are
rebuilt (delete, then insert the same SELECT run with those inputs cut to the touched keys).
Lines starting `-- Incremental` (the promise, and `-- Incremental, why:` lines saying why it
holds) are left out of the file's fingerprint.

A summary may materialise a page query for one fixed choice: `{{ query('name') }}` includes
that query's SELECT with each `$param` replaced by the SQL of its `-- Bind $param = SQL` header
line, or by null without one (health's default view: view_health_accounts). The expanded text
is what is run, fingerprinted and searched for the tables it reads, so a change to the page
query rebuilds the summary.

A full build whose inputs outgrow DuckDB's memory (spilling does not save some of them: at
scale 500, 10M deals, an import ran out of 1 GB and of 3 GB building them whole) is run in
pieces of one key's values: the same SELECT, once per piece, with its keyed inputs cut to the
values whose hash falls in the piece, then sorted by the SELECT's final ORDER BY (as many
pieces as its input rows need at BYTES_PER_INPUT_ROW each, or at what its `-- Pieces need N
bytes per input row` line says). An incremental summary's own key and inputs serve; another
says `-- Pieces by account_key: table, ...` when its rows of one key value come from those
tables' rows of that value alone, and `-- Pieces add up: column` when its rows count across
keys (rows equal in every other column are summed into one). A load touching many keys of an
incremental summary rebuilds them in pieces the same way.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import duckdb

from dashboard.core import queries, resources, served

SUMMARIES_DIR = resources.folder("dashboard.queries") / "summaries"


def available() -> list[str]:
    return sorted(p.stem for p in SUMMARIES_DIR.glob("*.sql"))


_BIND = served.BIND


def select_text(name: str) -> str:
    """The summary's SELECT as run: its file, with any included page query bound (above); for
    a served_* file, the served query's whole text bound, beside the values bound
    (core/served.py)."""
    sql = _file_text(name)
    binds = dict(_BIND.findall(sql))
    serves = served.parse(name, sql)
    if serves is not None:
        values = "".join(f'({binds[p]}) as "{served.column(p)}", ' for p in serves.bound)
        whole = queries.bind_as_sql(queries.sql_text(serves.query), binds)
        return f"{sql.rstrip()}\nselect {values}rows.* from (\n{whole}\n) as rows\n"

    def bound(match: re.Match) -> str:
        text = queries.subquery_text(match.group(1))
        return queries.bind_as_sql(text, binds)

    return queries.INCLUDE.sub(bound, sql)


def is_served(name: str) -> bool:
    """A served_* summary: a page query's stored rows, read on the embedded DuckDB only."""
    return served.parse(name, _file_text(name)) is not None


def reads(name: str) -> set[str]:
    """The tables a summary's SQL names (canonical tables and other summaries), by word."""
    sql = select_text(name).lower()
    sql = re.sub(r"--[^\n]*", " ", sql)  # comments may name tables the query does not read
    return set(re.findall(r"[a-z_][a-z0-9_]*", sql))


def affected(tables: Iterable[str]) -> list[str]:
    """The summaries to rebuild after `tables` changed: those reading one of them, directly or
    through another summary. A load that brings only surveys leaves the funnel's alone."""
    changed = set(tables)
    out = []
    for name in available():  # name order = build order, so a summary's inputs come first
        if reads(name) & changed:
            out.append(name)
            changed.add(f"summary_{name}")
    return out


def fingerprint(name: str) -> str:
    """What a summary table was built from: a hash of its SQL file, without its `-- Incremental`
    and `-- Pieces` lines (they say how to build it, not what it holds: adding one rebuilds
    nothing)."""
    sql = select_text(name).encode("utf-8")
    how = rb"(?m)^-- (Incremental|Pieces)\b[^\n]*\n"
    return hashlib.sha256(re.sub(how, b"", sql)).hexdigest()[:16]


def _record(con: duckdb.DuckDBPyConnection, name: str) -> None:
    # summary_sources is a table of the schema (migration 0009).
    con.execute(
        "insert or replace into summary_sources values ($name, $hash)",
        {"name": name, "hash": fingerprint(name)},
    )


def rebuild(con: duckdb.DuckDBPyConnection, names: list[str] | None = None) -> list[str]:
    """Recreate every summary table (or those named) from the canonical tables; returns their
    table names. Each one's SQL fingerprint is recorded beside it (build_stale reads it)."""
    built = []
    for name in available() if names is None else names:
        plan = pieces(name)
        count = _piece_count(con, name) if plan else 1
        if count > 1:
            _rebuild_in_pieces(con, name, plan, count)
        else:
            # The table name comes from a file name in this repository, never from a user.
            con.execute(f'create or replace table "summary_{name}" as {select_text(name)}')
        _record(con, name)
        built.append(f"summary_{name}")
    return built


def build_stale(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Build the summary tables this database lacks or built from other SQL: a new file, a
    file loaded before a summary was added, or one whose summary files changed since (a new
    version of the product), and every summary reading one of those. Pages may then always
    read them, in the shape their queries expect."""
    existing = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
        ).fetchall()
    }
    recorded = dict(con.execute("select name, sql_hash from summary_sources").fetchall())
    stale: list[str] = []
    for name in available():  # name order = build order: a summary's inputs come first
        if (
            f"summary_{name}" not in existing
            or recorded.get(name) != fingerprint(name)
            or reads(name) & {f"summary_{s}" for s in stale}
        ):
            stale.append(name)
    return rebuild(con, stale)


_INCREMENTAL = re.compile(r"^-- Incremental by ([a-z_][a-z0-9_]*): ([a-z0-9_, ]+)$", re.MULTILINE)
_KEYS = "__summary_keys_{}"  # temp table of the touched values of one key column


@dataclass(frozen=True)
class Incremental:
    """A summary's header promise: its rows for a `key` value depend, among the tables it
    reads, only on the rows with that value in `tables` (canonical tables or summaries)."""

    key: str
    tables: frozenset[str]


def incremental(name: str) -> Incremental | None:
    sql = _file_text(name)
    found = _INCREMENTAL.search(sql)
    if found is None:
        return None
    return Incremental(found[1], frozenset(t.strip() for t in found[2].split(",")))


def collect_keys(
    con: duckdb.DuckDBPyConnection, tables: Iterable[str], load_ids: Sequence[int]
) -> dict[str, bool]:
    """Before an undo or after a load (in its transaction): the key values `load_ids` touch in
    `tables` (their rows, and the rows they replaced), one temp table per key column that an
    incremental summary names. Returns {key: whether every touched value is non-null}."""
    keys: dict[str, bool] = {}
    for key in sorted({inc.key for inc in _keyed(tables).values()}):
        parts = [
            f'select "{key}" as k from "{where}" where {column} in (select unnest($ids))'  # noqa: S608
            for table in sorted(set(tables))
            if key in _columns(con, table)
            for where, column in ((table, "load_id"), (f"archived_{table}", "replaced_by_load"))
        ]
        if not parts:
            continue
        # Key and table names come from this repository's summary headers and schema.
        con.execute(
            f'create or replace temp table "{_KEYS.format(key)}" as '  # noqa: S608
            f"select distinct k from ({' union all '.join(parts)})",
            {"ids": list(load_ids)},
        )
        nulls = con.execute(f'select count(*) from "{_KEYS.format(key)}" where k is null')  # noqa: S608
        keys[key] = nulls.fetchall()[0][0] == 0
    return keys


def refresh(
    con: duckdb.DuckDBPyConnection, tables: Iterable[str], keys: dict[str, bool]
) -> list[str]:
    """Rebuild the summaries reading `tables` (affected), each only for the touched keys when
    its header allows it and every changed input it reads is one of its keyed ones, otherwise
    in full; drops collect_keys' temp tables. Returns the summary table names."""
    keyed = _keyed(tables)
    built = []
    for name in affected(tables):
        inc = keyed.get(name)
        if inc and keys.get(inc.key):
            _rebuild_keys_in_pieces(con, name, inc)
            built.append(f"summary_{name}")
        else:
            built += rebuild(con, [name])
    for key in keys:
        con.execute(f'drop table if exists temp.main."{_KEYS.format(key)}"')
    return built


def _keyed(tables: Iterable[str]) -> dict[str, Incremental]:
    """The summaries `tables` affect that may be rebuilt by key: every changed input they read
    (canonical tables, and summaries rebuilt before them) is one of their keyed inputs. An
    import of every table has none, and collects no keys."""
    changed = set(tables) | {f"summary_{name}" for name in affected(tables)}
    return {
        name: inc
        for name in affected(tables)
        if (inc := incremental(name)) and reads(name) & changed <= inc.tables
    }


def _rebuild_keys(con: duckdb.DuckDBPyConnection, name: str, inc: Incremental) -> None:
    """Delete the summary's rows of the touched keys and insert them again from its SELECT,
    run while temp views of the same names cut its keyed inputs to those keys."""
    keys = f'(select k from temp.main."{_KEYS.format(inc.key)}")'  # noqa: S608
    con.execute(f'delete from "summary_{name}" where "{inc.key}" in {keys}')  # noqa: S608
    with _cut(con, inc.tables, f'"{inc.key}" in {keys}'):
        con.execute(f'insert into "summary_{name}" {select_text(name)}')


def _rebuild_keys_in_pieces(con: duckdb.DuckDBPyConnection, name: str, inc: Incremental) -> None:
    """_rebuild_keys, in pieces of the touched keys when they are many: a load of every row
    of orders touches every account, and rebuilding them all at once is a whole build (at
    scale 500 retention_activity's ran out of 3 GB). As many pieces as a whole build would
    need (_piece_count), times the share of the keys touched."""
    count = _piece_count(con, name)
    # Names below are this module's own; the piece numbers are ints.
    table = _KEYS.format(inc.key)
    keys, every_key = f'temp.main."{table}"', f'"{table}_all"'
    if count > 1:
        touched = con.execute(f"select count(*) from {keys}").fetchall()[0][0]  # noqa: S608
        values = _key_values(inc.key, inc.tables)
        every_sql = f"select approx_count_distinct(k) from ({values})"  # noqa: S608
        every = con.execute(every_sql).fetchall()
        count = math.ceil(count * min(1.0, touched / max(1, every[0][0])))
    if count <= 1:
        _rebuild_keys(con, name, inc)
        return
    con.execute(f"alter table {keys} rename to {every_key}")
    for piece in range(count):
        con.execute(
            f'create temp table "{table}" as select k'  # noqa: S608
            f" from temp.main.{every_key} where hash(k) % {count} = {piece}"
        )
        _rebuild_keys(con, name, inc)
        con.execute(f"drop table {keys}")
    con.execute(f'alter table temp.main.{every_key} rename to "{table}"')


@contextlib.contextmanager
def _cut(con: duckdb.DuckDBPyConnection, tables: Iterable[str], where: str) -> Iterator[None]:
    """Temp views named like `tables`, each the table's rows meeting `where` (SQL made by this
    module): a SELECT run inside reads only those rows of them."""
    catalog = con.execute("select current_database()").fetchall()[0][0].replace('"', '""')
    for table in sorted(tables):
        con.execute(
            f'create temp view "{table}" as select * from "{catalog}".main."{table}"'  # noqa: S608
            f" where {where}"
        )
    yield
    for table in sorted(tables):  # on an error the transaction's rollback drops them
        con.execute(f'drop view temp.main."{table}"')


_PIECES = re.compile(r"^-- Pieces by ([a-z_][a-z0-9_]*): ([a-z0-9_, ]+)$", re.MULTILINE)
_ADD_UP = re.compile(r"^-- Pieces add up: ([a-z0-9_, ]+)$", re.MULTILINE)
_ORDER = re.compile(r"\border by [^()]*$", re.IGNORECASE)  # a final ORDER BY of columns
_PIECE_ROWS = '"__summary_piece_rows"'
# One input row (every table a summary reads) takes about this many bytes of DuckDB's memory
# in a build: a build is cut in pieces of at most the limit's worth. Measured at scale 50
# (1M deals): health_trend_steps (22.6M input rows) fails whole at 500 MB and builds at 800.
# funnel_stage_reached needs more (its header says): whole (8.5M rows) it fails at 500 MB;
# in 4 pieces (2.1M each) it fails at 200 MB, in 8 (1.06M each) it builds; at scale 500
# (85M rows) in 9 pieces it ran out of 1 GB.
BYTES_PER_INPUT_ROW = 100


@dataclass(frozen=True)
class Pieces:
    """A summary may be built in pieces of `key`'s values, with `tables` cut to each piece's
    values; the pieces' rows are summed in the `add_up` columns when there are any."""

    key: str
    tables: frozenset[str]
    add_up: tuple[str, ...] = ()


def pieces(name: str) -> Pieces | None:
    """How a summary may be built in pieces: its `-- Pieces` header lines, else its
    incremental promise (a key's rows come from that key's rows alone), else not at all."""
    sql = _file_text(name)
    found = _PIECES.search(sql)
    if found is not None:
        add_up = _ADD_UP.search(sql)
        columns = tuple(c.strip() for c in add_up[1].split(",")) if add_up else ()
        return Pieces(found[1], frozenset(t.strip() for t in found[2].split(",")), columns)
    inc = incremental(name)
    return Pieces(inc.key, inc.tables) if inc else None


_NEED = re.compile(r"^-- Pieces need (\d+) bytes per input row$", re.MULTILINE)


def _piece_count(con: duckdb.DuckDBPyConnection, name: str) -> int:
    """Pieces enough that each one's share of the summary's input rows fits in memory, at
    BYTES_PER_INPUT_ROW each or what its `-- Pieces need N bytes per input row` line says."""
    rows = sum(_row_count(con, table) for table in reads(name) & _tables(con))
    found = _NEED.search(_file_text(name))
    need = int(found[1]) if found else BYTES_PER_INPUT_ROW
    return max(1, math.ceil(rows * need / _memory_limit_bytes(con)))


def _rebuild_in_pieces(con: duckdb.DuckDBPyConnection, name: str, plan: Pieces, count: int) -> None:
    """The summary's SELECT once per piece (its keyed inputs cut to the key values whose hash
    falls in it) into a temp table, then written whole: added up when the plan says so, and
    sorted by the SELECT's final ORDER BY."""
    # Every name and SQL text here comes from this repository's summary files and schema.
    select = select_text(name)
    order = _ORDER.search(select)
    body = select[: order.start()] if order else select
    empty = f"select * from ({body}) limit 0"  # noqa: S608
    con.execute(f"create or replace temp table {_PIECE_ROWS} as {empty}")
    piece_of = _hash_of(con, plan)
    for piece in range(count):
        with _cut(con, plan.tables, f"{piece_of} % {count} = {piece}"):
            con.execute(f"insert into temp.main.{_PIECE_ROWS} {body}")
    columns = con.execute(f"describe temp.main.{_PIECE_ROWS}").fetchall()
    rows = f"temp.main.{_PIECE_ROWS}"
    if plan.add_up:
        kept = [f'"{c}"' for c, *_ in columns if c not in plan.add_up]
        shown = ", ".join(
            f'cast(sum("{c}") as {kind}) as "{c}"' if c in plan.add_up else f'"{c}"'
            for c, kind, *_ in columns
        )
        rows = f"(select {shown} from {rows} group by {', '.join(kept)})"  # noqa: S608
    ordered = order.group(0) if order else ""
    whole = f"select * from {rows} {ordered}"  # noqa: S608
    con.execute(f'create or replace table "summary_{name}" as {whole}')
    con.execute(f"drop table temp.main.{_PIECE_ROWS}")


def _hash_of(con: duckdb.DuckDBPyConnection, plan: Pieces) -> str:
    """SQL of a key value's hash, the same in every keyed table: of the value cast to the type
    their key columns share (hash(7) of an integer is not hash(7) of a double, yet the two
    join). A null key has a hash too, so its rows fall in one piece, as every value's do."""
    kind = con.execute(f"describe {_key_values(plan.key, plan.tables)}").fetchall()[0][1]
    return f'hash(cast("{plan.key}" as {kind}))'


def _file_text(name: str) -> str:
    """The text of queries/summaries/<name>.sql (its header lines and its SELECT)."""
    return (SUMMARIES_DIR / f"{name}.sql").read_text(encoding="utf-8")


def _key_values(key: str, tables: Iterable[str]) -> str:
    """SQL of every value of `key` in `tables` (column k; their shared type)."""
    # Table and key names come from a summary's header lines.
    return " union all ".join(
        f'select "{key}" as k from main."{table}"'  # noqa: S608
        for table in sorted(tables)
    )


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables"
        " where table_schema = 'main' and table_catalog = current_database()"
    ).fetchall()
    return {r[0] for r in rows}


def _row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    # The table name is one the summary's own SQL reads and the schema holds.
    return con.execute(f'select count(*) from main."{table}"').fetchall()[0][0]  # noqa: S608


_UNITS = {"bytes": 1, "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def _memory_limit_bytes(con: duckdb.DuckDBPyConnection) -> int:
    """DuckDB's memory limit as set (shown as "953.6 MiB")."""
    shown = con.execute("select current_setting('memory_limit')").fetchall()[0][0]
    number, unit = shown.split()
    return int(float(number) * _UNITS[unit.lower()])


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from information_schema.columns"
        " where table_schema = 'main' and table_name = $t and table_catalog = current_database()",
        {"t": table},
    ).fetchall()
    return {r[0] for r in rows}
