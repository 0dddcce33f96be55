"""What changed since the previous digest of the same scope, in sentences."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import pandas as pd

from dashboard.core import formatting, measures
from dashboard.core.filters import Filters
from dashboard.store import warehouse
from dashboard.store.digests import Previous

STAGE_MOVES_SHOWN = 5
KPIS_COMPARED = ("won_amount", "win_rate", "pipeline_open_amount", "new_customers")


def sentences(
    cur: duckdb.DuckDBPyConnection, previous: Previous | None, filters: Filters
) -> list[str]:
    if previous is None:
        return ["This is the first digest for these filters: the next one says what changed."]
    when = f"{previous.created_at:%-d %b %Y %H:%M}"
    if warehouse.data_version(cur) == previous.data_version:
        return [f"No load or undo since the previous digest ({when})."]
    first = warehouse.scalar(
        cur,
        "select min(load_id) from loads where load_id > $last",
        {"last": previous.last_load_id or 0},
    )
    if first is None:  # only undos since: the data moved back
        return [f"Loads were undone since the previous digest ({when}); no new load."]
    return [
        f"Since the previous digest ({when}):",
        *describe(changes_since_load(cur, int(first), filters)),
    ]


def changes_since_load(cur: duckdb.DuckDBPyConnection, since_load: int, filters: Filters) -> dict:
    """What load `since_load` and the loads after it changed, within the filters' grant.
    Stub until dashboard/analytics/changes lands (its changes_since(con, since_load,
    filters=...) returns the same keys, and more): the loads alone, for a reader who may see
    the load history (analysts' and admins' grants; nobody else sees file names)."""
    history = warehouse.load_history(cur, include_undone=False, scope=filters.scope)
    mine = history[history["load_id"] >= since_load].sort_values("load_id")
    return {"since_load": since_load, "loads": mine["load_id"].tolist(), "load_rows": mine}


def describe(found: Mapping) -> list[str]:
    """The changes as sentences; keys a version of `changes` does not give are skipped."""
    out = []
    rows = found.get("load_rows")
    if rows is not None and not rows.empty:
        for row in rows.to_dict("records"):
            name = row["file_name"] if pd.notna(row["file_name"]) else row["source"]
            who = f" by {row['user_name']}" if pd.notna(row["user_name"]) else ""
            rows_loaded = int(row["rows_loaded"])
            out.append(
                f"Load {row['load_id']}: {name}, {formatting.count(rows_loaded)} "
                f"row{'s' * (rows_loaded != 1)}, loaded {row['loaded_at']:%-d %b %Y}{who}."
            )
    elif not found.get("loads"):
        out.append("New data was loaded.")
    out += _deal_counts(found) + _kpi_moves(found) + _stage_moves(found)
    if found.get("new_competitors"):
        out.append(f"New competitors named: {', '.join(map(str, found['new_competitors']))}.")
    return out


def _size(value: object) -> int:
    return len(value) if isinstance(value, list | tuple) else int(value or 0)


def _deal_counts(found: Mapping) -> list[str]:
    out = []
    keys = ("deals_added", "deals_updated", "deals_removed")
    if any(k in found for k in keys):
        added, updated, removed = (_size(found.get(k)) for k in keys)
        out.append(f"Deals: {added:,} added, {updated:,} updated, {removed:,} removed.")
    status = found.get("status_changes")
    if status:
        out.append(
            f"Status changes: {_size(status.get('won')):,} won, {_size(status.get('lost')):,} "
            f"lost, {_size(status.get('reopened')):,} reopened."
        )
    return out


def _kpi_moves(found: Mapping) -> list[str]:
    before, after = found.get("kpis_before") or {}, found.get("kpis_after") or {}
    out = []
    for key in KPIS_COMPARED:
        if key in before and key in after and before[key] != after[key]:
            m = measures.MEASURES[key]
            fmt = formatting.FORMATTERS[m.unit]
            out.append(f"{m.label}: {fmt(before[key])} → {fmt(after[key])}.")
    return out


def _stage_moves(found: Mapping) -> list[str]:
    moves = sorted(found.get("stage_moves") or [], key=lambda m: -_size(m.get("deals")))
    return [
        f"{m.get('from') or '(new)'} → {m.get('to')}: {_size(m.get('deals')):,} deals."
        for m in moves[:STAGE_MOVES_SHOWN]
    ]
