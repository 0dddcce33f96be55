"""Tables every page would otherwise recompute on each click, rebuilt once per load or undo.

Each `queries/summaries/<name>.sql` is one SELECT with no parameters; its result is stored as
table `summary_<name>`. `rebuild` runs inside the load's own transaction, so a reader never sees
new data with old summaries (or the reverse). Files run in name order: a summary may read the
summaries whose names sort before its own (funnel_pipeline_steps before funnel_stage_entries).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

import duckdb

from dashboard.core import resources

SUMMARIES_DIR = resources.folder("dashboard.queries") / "summaries"


def available() -> list[str]:
    return sorted(p.stem for p in SUMMARIES_DIR.glob("*.sql"))


def reads(name: str) -> set[str]:
    """The tables a summary's SQL names (canonical tables and other summaries), by word."""
    sql = (SUMMARIES_DIR / f"{name}.sql").read_text(encoding="utf-8").lower()
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
    """What a summary table was built from: a hash of its SQL file."""
    sql = (SUMMARIES_DIR / f"{name}.sql").read_bytes()
    return hashlib.sha256(sql).hexdigest()[:16]


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
        select = (SUMMARIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
        # The table name comes from a file name in this repository, never from a user.
        con.execute(f'create or replace table "summary_{name}" as {select}')
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
