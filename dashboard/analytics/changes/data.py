"""What changed since a load (product.md): the one entry point is changes_since().

A load is compared with the data version before it, several loads together with the version
before the first. Deal changes come from the archives each load keeps (queries/changes_deals);
an undo's from what was kept when it happened; the KPIs before from the snapshot kept just
before the load or undo (dashboard/store/change_log.py), the KPIs after from the data now.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlencode

import duckdb
import pandas as pd

from dashboard.core import measures, queries
from dashboard.core.filters import EVERYTHING, Filters, Scope
from dashboard.store import change_log

MOVERS = 10  # biggest movers by amount listed
# Competitor cells name nobody with these (as summary_deal_competitors reads them).
PLACEHOLDERS = {"", "none", "n/a", "na", "-", "--", "null", "unknown", "no competitor"}
PLACEHOLDERS.add("no competition")


class ChangesError(ValueError):
    """A request a person can correct (unknown load, no loads yet): one sentence."""


@dataclass(frozen=True)
class Event:
    """A load batch (files dropped together) or an undo, as changes_events lists it."""

    event_id: int | None
    kind: str  # 'load' or 'undo'
    first_load: int
    loads: pd.DataFrame  # the loads table's rows it covers


def changes_since(
    con: duckdb.DuckDBPyConnection,
    since_load: int | None = None,
    *,
    filters: Filters | None = None,
    scope: Scope = EVERYTHING,
) -> dict[str, object]:
    """The changes of load `since_load` and every load after it (None = the latest load or
    undo), compared with the data version before it, within `filters` (their scope) and
    `scope`. Raises ChangesError for an unknown load or an empty warehouse."""
    wanted = (filters or Filters()).within(scope)
    wanted = replace(wanted, start_date=None, end_date=None)
    events = queries.run(con, "changes_events", Filters(scope=scope).scope_params())
    event = pick_event(events, since_load)
    params = {
        "first_load": event.first_load,
        "undo_event": event.event_id if event.kind == "undo" else None,
        **_scope_lists(wanted),
    }
    summary = queries.run(con, "changes_deal_summary", {**params, "movers": MOVERS})
    known = set(queries.run(con, "changes_competitors_before", params)["name_key"])
    loads = compared_loads(events, event)
    before, after, notes = kpi_moves(con, events, event, wanted)
    notes += removed_with(events, event)
    return {
        "since_load": event.first_load,
        "loads": loads,
        "event": event.kind,
        "files": files(event, wanted),
        "kpis_before": before,
        "kpis_after": after,
        **deal_changes(summary),
        "new_competitors": new_competitors(summary, known),
        "biggest_movers": biggest_movers(summary),
        "links": links(),
        "notes": notes,
    }


def _scope_lists(wanted: Filters) -> dict[str, object]:
    """The segment, region, owner and team lists a deal's scope test binds (no dates)."""
    params = wanted.params()
    return {key: params[key] for key in ("segments", "regions", "owners", "teams")}


def pick_event(events: pd.DataFrame, since_load: int | None) -> Event:
    """The event to report: the newest, or the load batch holding `since_load` (an undone load:
    its undo, which shows its changes reversed)."""
    if events.empty:
        raise ChangesError("Nothing has been loaded yet: import a file first.")
    if since_load is None:
        first = events.iloc[0]
        return _event(events, first["event_id"], first["event"], first["first_load_id"])
    rows = events[events["load_id"] == since_load]
    if rows.empty:
        raise ChangesError(f"There is no load {since_load}; `crm-dashboard loads` lists them.")
    superseded = rows.iloc[0]["superseded_by"]
    if not pd.isna(superseded):
        raise ChangesError(
            f"Load {since_load} was remapped as load {int(superseded)}; "
            f"ask for --since-load {int(superseded)}."
        )
    undone = rows.iloc[0]["undone_at"]
    kind = "load" if pd.isna(undone) else "undo"
    match = rows[rows["event"] == kind]
    if match.empty:
        raise ChangesError(
            f"Load {since_load} was undone on {undone:%Y-%m-%d %H:%M} and its rows are gone: "
            "there is nothing of it left to compare."
        )
    row = match.iloc[0]
    return _event(events, row["event_id"], kind, row["first_load_id"])


def _event(events: pd.DataFrame, event_id: object, kind: str, first: object) -> Event:
    same = events[(events["event"] == kind) & (events["first_load_id"] == first)]
    if not pd.isna(event_id):
        same = same[same["event_id"] == event_id]
    return Event(None if pd.isna(event_id) else int(event_id), kind, int(first), same)


def compared_loads(events: pd.DataFrame, event: Event) -> list[int]:
    """An undo: the load it undid. Loads: this batch's and every later load still in effect."""
    if event.kind == "undo":
        return [event.first_load]
    in_effect = events[
        (events["load_id"] >= event.first_load)
        & events["undone_at"].isna()
        & (events["event"] == "load")
    ]
    return sorted({int(n) for n in in_effect["load_id"]})


def removed_with(events: pd.DataFrame, event: Event) -> list[str]:
    """A first import removes the sample in its own transaction (no undo event of its own):
    its deals are gone from the archives too, so say so rather than list them as removed."""
    if event.kind != "load":
        return []
    started = event.loads["loaded_at"].min()
    undos = set(events.loc[events["event"] == "undo", "first_load_id"])
    gone = events[
        events["is_sample"]
        & events["undone_at"].notna()
        & events["superseded_by"].isna()
        & (events["undone_at"] >= started)
        & ~events["load_id"].isin(undos)
        & (events["load_id"] < event.first_load)
    ]
    return [
        f"The sample (load {int(n)}) was removed with this load: the KPIs before include it, "
        "its deals are not listed as removed."
        for n in sorted(set(gone["load_id"]))
    ]


def files(event: Event, wanted: Filters) -> list[dict[str, object]]:
    """Who loaded what, when: the file and person only for readers of the whole data set (the
    load history's rule, queries/load_history.sql); a manager gets the load and the time."""
    everyone = wanted.scope.is_everything
    return [
        {
            "load_id": int(row.load_id),
            "file_name": _text(row.file_name) if everyone else None,
            "user_name": _text(row.user_name) if everyone else None,
            "source": _text(row.source) if everyone else None,
            "loaded_at": _iso(row.loaded_at),
            "undone_at": _iso(row.undone_at),
            "is_sample": bool(row.is_sample),
        }
        for row in event.loads.itertuples()
    ]


def _text(value: object) -> str | None:
    """A text cell as str, or None for a missing one (pandas reads SQL null text as NaN)."""
    return None if pd.isna(value) else str(value)


def kpi_moves(
    con: duckdb.DuckDBPyConnection, events: pd.DataFrame, event: Event, wanted: Filters
) -> tuple[dict | None, dict, list[str]]:
    """KPIs just before (kept when the event happened) and after: the data now, or for an
    undo that later events followed, what was kept just before the next one."""
    key = change_log.scope_key(wanted)
    notes = []
    before = _kept_kpis(con, event.event_id, key)
    if before is None:
        notes.append(_no_snapshot_note(event, wanted))
    after = None
    later = events[events["event_id"] > event.event_id] if event.event_id else events.iloc[:0]
    if event.kind == "undo" and not later.empty:
        after = _kept_kpis(con, int(later["event_id"].min()), key)
    if after is None:
        start, end = change_log.default_period(con)
        after = {
            "period_start": _iso(start),
            "period_end": _iso(end),
            "all_time": _plain_kpis(measures.kpis(con, wanted)),
            "period": _plain_kpis(
                measures.kpis(con, replace(wanted, start_date=start, end_date=end))
            ),
        }
    return before, after, notes


def _kept_kpis(con: duckdb.DuckDBPyConnection, event_id: int | None, key: str) -> dict | None:
    return None if event_id is None else change_log.kept_kpis(con, event_id, key)


def _no_snapshot_note(event: Event, wanted: Filters) -> str:
    if event.event_id is None:
        return (
            f"Load {event.first_load} was made before KPIs were kept with each load: "
            "no KPIs before it."
        )
    if wanted.scope.is_everything:
        return (
            "KPIs before a load are kept for whole grants, not for sidebar filters: "
            "pick no segment, region, owner or team to see them."
        )
    return (
        "Your grant was not in the roles file when this load happened: "
        "no KPIs before it were kept for it."
    )


def _plain_kpis(kpis: dict[str, object]) -> dict[str, object]:
    return json.loads(json.dumps(kpis, default=change_log._plain))


def deal_changes(summary: pd.DataFrame) -> dict[str, object]:
    """Counts of deals added/updated/removed, stage moves and status changes, from
    changes_deal_summary's rows."""
    counts = _part(summary, "count").set_index("name")["deals"]
    return {
        "deals_added": int(counts["added"]),
        "deals_updated": int(counts["updated"]),
        "deals_removed": int(counts["removed"]),
        "stage_moves": [
            {"from": _text(r.before_stage), "to": _text(r.after_stage), "deals": int(r.deals)}
            for r in _part(summary, "stage_move").itertuples()
        ],
        "status_changes": {name: int(counts[name]) for name in ("won", "lost", "reopened")},
    }


def _part(summary: pd.DataFrame, part: str) -> pd.DataFrame:
    """One part of changes_deal_summary, in its order."""
    return summary[summary["part"] == part].sort_values("position")


def competitor_names(cell: object) -> dict[str, str]:
    """Names in a competitor cell ("Acme; Beta, Gamma"), keyed as summary_deal_competitors
    keys them (lower case, spaces folded), placeholders left out."""
    if cell is None or pd.isna(cell):
        return {}
    names = {}
    for part in str(cell).replace(",", ";").split(";"):
        name = part.strip()
        key = " ".join(name.lower().split())
        if key not in PLACEHOLDERS:
            names.setdefault(key, name)
    return names


def new_competitors(summary: pd.DataFrame, known: set[str]) -> list[str]:
    """Competitors named on the changed deals that no deal in scope named before. Each distinct
    cell is split once (a load of a million deals names a few hundred cells), the cells after
    in the order of the first deal naming each, so a name written two ways keeps the first."""
    before = set(known)
    for cell in _part(summary, "before_competitor")["cell"]:
        before |= set(competitor_names(cell))
    found: dict[str, str] = {}
    for cell in _part(summary, "after_competitor")["cell"]:
        for key, name in competitor_names(cell).items():
            if key not in before:
                found.setdefault(key, name)
    return sorted(found.values(), key=str.casefold)


def biggest_movers(summary: pd.DataFrame) -> list[dict[str, object]]:
    """The MOVERS deals whose amount moved most, as changes_deal_summary picked them."""
    return [
        {
            "deal_id": r.deal_id,
            "deal_name": _text(r.deal_name),
            "owner": _text(r.owner),
            "change": r.change_kind,
            "amount_before": _number(r.before_amount),
            "amount_after": _number(r.after_amount),
            "amount_change": float(r.amount_change),
            "link": owner_link(_text(r.owner)),
        }
        for r in _part(summary, "mover").itertuples()
    ]


def links() -> dict[str, str]:
    """The page and filter that shows each part, all time (URL query params the pages read),
    relative to the app's address: "funnel?period=all"."""
    every = urlencode(Filters().to_query_params(), doseq=True)
    return {
        "kpis": f"./?{every}",
        "deals": f"funnel?{every}",
        "stage_moves": f"funnel?{every}",
        "status_changes": f"competitors?{every}",
        "new_competitors": f"competitors?{every}",
    }


def owner_link(owner: str | None) -> str:
    """The funnel for one deal owner, all time: where a mover's deal shows."""
    query = Filters(owners=(owner,) if owner else ()).to_query_params()
    return f"funnel?{urlencode(query, doseq=True)}"


def _text(value: object) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _iso(value: object) -> str | None:
    if value is None or pd.isna(value):
        return None
    return value.isoformat() if isinstance(value, date) else str(value)
