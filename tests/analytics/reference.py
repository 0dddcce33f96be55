"""What the frozen reference queries read besides the canonical tables, frozen beside them.

funnel/reference/*.sql and health/health_accounts_before.sql are copies of retired queries that
identity tests compare today's queries with. They call ref_ macros (reference_scope.sql) and
read ref_summary_ tables (frozen copies of the summary SQL they read, beside each reference),
created here as temp objects of one cursor, so no change to queries/macros or
queries/summaries can change what a reference returns.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

SCOPE = Path(__file__).parent / "reference_scope.sql"


def freeze(cur: duckdb.DuckDBPyConnection, summaries: Path) -> None:
    """Create the ref_ macros, then the ref_summary_ tables from the rows `cur` sees now
    (temp: this cursor only; call it again after a load)."""
    cur.execute(SCOPE.read_text(encoding="utf-8"))
    cur.execute(summaries.read_text(encoding="utf-8"))


def without_teams(params: dict) -> dict:
    """The parameters a frozen reference takes: the Team filter came after them, and these
    comparisons run with no team chosen ($teams null; or the denied scope, where every list is
    empty), so the references need no $teams."""
    assert params.get("teams") is None or params.get("segments") == [], "no team in references"
    return {k: v for k, v in params.items() if k != "teams"}


def names_read(sql: str) -> set[str]:
    """Every word of a SQL text outside comments: what it may read or call."""
    return set(re.findall(r"[a-z_][a-z0-9_]*", re.sub(r"--[^\n]*", " ", sql.lower())))
