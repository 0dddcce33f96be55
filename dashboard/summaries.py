"""Tables every page would otherwise recompute on each click, rebuilt once per load or undo.

Each `queries/summaries/<name>.sql` is one SELECT with no parameters; its result is stored as
table `summary_<name>`. `rebuild` runs inside the load's own transaction, so a reader never sees
new data with old summaries (or the reverse). Files run in name order: a summary may read the
summaries whose names sort before its own (funnel_pipeline_steps before funnel_stage_entries).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

SUMMARIES_DIR = Path(__file__).resolve().parent.parent / "queries" / "summaries"


def available() -> list[str]:
    return sorted(p.stem for p in SUMMARIES_DIR.glob("*.sql"))


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
