"""Tables every page would otherwise recompute on each click, rebuilt once per load or undo.

Each `queries/summaries/<name>.sql` is one SELECT with no parameters; its result is stored as
table `summary_<name>`. `rebuild` runs inside the load's own transaction, so a reader never sees
new data with old summaries (or the reverse). Files run in name order: a summary may read the
summaries whose names sort before its own (funnel_pipeline_steps before funnel_stage_entries).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import duckdb

SUMMARIES_DIR = Path(__file__).resolve().parent.parent / "queries" / "summaries"


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


def rebuild(con: duckdb.DuckDBPyConnection, names: list[str] | None = None) -> list[str]:
    """Recreate every summary table (or those named) from the canonical tables; returns their
    table names."""
    built = []
    for name in available() if names is None else names:
        select = (SUMMARIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
        # The table name comes from a file name in this repository, never from a user.
        con.execute(f'create or replace table "summary_{name}" as {select}')
        built.append(f"summary_{name}")
    return built


def build_missing(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Build the summary tables this database lacks: a new file with no load yet, or a file
    loaded before a summary was added. Pages may then always read them."""
    existing = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
        ).fetchall()
    }
    return rebuild(con, [n for n in available() if f"summary_{n}" not in existing])
