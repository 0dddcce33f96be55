"""Undo in words a person can check: which load it is, what undoing it removes and restores.

The picker's label, the confirmation before and the message after (issue 19, point 8) all
come from here, so the import page and its tests read the same sentences.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from dashboard.core import queries
from dashboard.core.filters import Filters


@dataclass(frozen=True)
class UndoPreview:
    load_id: int
    file_name: str
    removed: int  # rows the load holds now, removed by the undo
    restored: int  # rows it replaced, brought back


def _when(value: object) -> str:
    stamp = pd.Timestamp(value) if value is not None and not pd.isna(value) else None
    return f"{stamp:%-d %b %Y %H:%M}" if stamp is not None else "time unknown"


def _rows(count: object) -> str:
    n = 0 if count is None or pd.isna(count) else int(count)
    return f"{n:,} row" + ("" if n == 1 else "s")


def load_label(row: dict) -> str:
    """'7 · deals.csv · 2 Dec 2026 10:31 · alice · 412 rows' for the undo picker."""
    file_name = row.get("file_name") or row.get("source") or "no file name"
    who = row.get("user_name") or "unknown user"
    return (
        f"{int(row['load_id'])} · {file_name} · {_when(row.get('loaded_at'))} · {who} · "
        f"{_rows(row.get('rows_loaded'))}"
    )


def preview(cur: duckdb.DuckDBPyConnection, load_id: int, file_name: str) -> UndoPreview:
    # Only importers reach the undo (analysts and admins), who read every row: an empty grant.
    everyone = Filters().scope_params()
    counts = queries.run_one(cur, "undo_preview", {"load_id": load_id, **everyone})
    return UndoPreview(
        load_id, file_name, int(counts["count_rows_removed"]), int(counts["count_rows_restored"])
    )


def confirmation(p: UndoPreview) -> str:
    """The question before: what goes and what comes back."""
    back = f", and {_rows(p.restored)} it replaced come back" if p.restored else ""
    return (
        f"Undo load {p.load_id} ({p.file_name})? Its {_rows(p.removed)} are removed from every "
        f"page{back}. The load stays in the history, marked undone."
    )


def done(p: UndoPreview) -> str:
    """The message after: 'Undid load 7 (deals.csv): 412 rows removed, 3 restored.'"""
    return (
        f"Undid load {p.load_id} ({p.file_name}): {p.removed:,} rows removed, "
        f"{p.restored:,} restored."
    )
