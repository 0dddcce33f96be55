"""What a load or an undo changed, kept when it happens (migration 0013): the KPIs just before
it, per grant, and the deals an undo changes (an undo deletes the rows they came from).
dashboard/analytics/changes reads it back; a load's own deal changes are read from the
archives instead, so nothing here copies a table."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from datetime import date, datetime

import duckdb

from dashboard.core import access, measures, queries
from dashboard.core.filters import EVERYTHING, Filters, Scope
from dashboard.core.periods import DEFAULT_PRESET, preset_range


@dataclass(frozen=True)
class KpiSnapshot:
    scope_key: str
    period: tuple[date | None, date | None]
    all_time: str
    in_period: str


def scope_key(filters: Filters) -> str:
    """The bound filter lists of a grant (no dates) as JSON: the key a snapshot is kept by."""
    params = replace(filters, start_date=None, end_date=None).params()
    return json.dumps({k: params[k] for k in ("segments", "regions", "owners", "teams")})


def default_period(con: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None]:
    """The overview's default period (last 12 months up to the last day with data)."""
    last = queries.run_one(con, "data_date_range", {})["last_date"]
    if last is None or (isinstance(last, float) and math.isnan(last)):
        return None, None
    return preset_range(DEFAULT_PRESET, last.date() if isinstance(last, datetime) else last)


def kpis_json(con: duckdb.DuckDBPyConnection, filters: Filters) -> str:
    return json.dumps(measures.kpis(con, filters), default=_plain, sort_keys=True)


def _plain(value: object) -> object:
    """numpy and pandas scalars as JSON values (NaN = null)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float, str)) or value is None:
        return value
    return str(value)


def grants_to_keep() -> list[Scope]:
    """Everyone, and each manager grant in the roles file (a broken file: everyone only)."""
    scopes = [EVERYTHING]
    path = access.configured_path()
    if path is None:
        return scopes
    try:
        roles = access.load(path)
    except access.RolesFileError:
        return scopes
    for grant in roles.grants.values():
        scope = grant.scope()
        if scope not in scopes and not scope.is_nothing:
            scopes.append(scope)
    return scopes


def snapshot(con: duckdb.DuckDBPyConnection) -> list[KpiSnapshot]:
    """The KPIs as they are now (call before the load or undo changes anything)."""
    start, end = default_period(con)
    kept = []
    for scope in grants_to_keep():
        everything = Filters(scope=scope)
        kept.append(
            KpiSnapshot(
                scope_key(everything),
                (start, end),
                kpis_json(con, everything),
                kpis_json(con, replace(everything, start_date=start, end_date=end)),
            )
        )
    return kept


def record(
    con: duckdb.DuckDBPyConnection,
    event: str,
    load_ids: list[int],
    before: list[KpiSnapshot],
) -> int:
    """Record one event (inside the caller's transaction); returns its id. For an undo, call
    before its rows are removed: the deals it changes are kept from the rows still there."""
    event_id = int(
        con.execute("select coalesce(max(event_id), 0) + 1 from change_events").fetchall()[0][0]
    )
    con.execute(
        "insert into change_events values ($id, $event, $first, $last, $first)",
        {
            "id": event_id,
            "event": event,
            "first": min(load_ids),
            "last": max(load_ids),
        },
    )
    for snap in before:
        con.execute(
            "insert into change_kpis values ($id, $key, $start, $end, $all_time, $in_period)",
            {
                "id": event_id,
                "key": snap.scope_key,
                "start": snap.period[0],
                "end": snap.period[1],
                "all_time": snap.all_time,
                "in_period": snap.in_period,
            },
        )
    if event == "undo":
        _keep_undone_deals(con, event_id, load_ids[0])
    return event_id


def _keep_undone_deals(con: duckdb.DuckDBPyConnection, event_id: int, load_id: int) -> None:
    """The undone load's current deals (before) and the rows the undo brings back (after):
    rows it replaced whose key no other load holds now (see warehouse._undo_table)."""
    params = {"id": event_id, "load": load_id}
    con.execute(
        "insert into change_undone_deals by name select * exclude (load_id),"
        " $id as event_id, 'before' as side, $load as load_id from deals where load_id = $load",
        params,
    )
    con.execute(
        "insert into change_undone_deals by name select * exclude (load_id, replaced_by_load),"
        " $id as event_id, 'after' as side, $load as load_id"
        " from archived_deals where replaced_by_load = $load"
        " and deal_id not in (select deal_id from deals where load_id <> $load)",
        params,
    )


def kept_kpis(con: duckdb.DuckDBPyConnection, event_id: int, key: str) -> dict | None:
    """The KPIs kept just before event `event_id` for the grant `key` (None: none kept)."""
    found = con.execute(
        "select period_start, period_end, kpis_all_time, kpis_period from change_kpis"
        " where event_id = $id and scope_key = $key",
        {"id": event_id, "key": key},
    ).fetchall()
    if not found:
        return None
    start, end, all_time, in_period = found[0]
    return {
        "period_start": _plain(start),
        "period_end": _plain(end),
        "all_time": json.loads(all_time),
        "period": json.loads(in_period),
    }
