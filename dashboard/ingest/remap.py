"""Remap a past load without uploading it again: read its kept file with its recorded mapping,
change some fields (or the table, or which stage is a win), and load it again as one load
that supersedes the old one in the same transaction. Undoing the remap brings the old load
back whole (warehouse.load_relations(superseding=...)).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.ingest import fields as F
from dashboard.ingest import kept, loader
from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.vendors import VENDORS
from dashboard.store import warehouse

STATUSES = ("won", "lost", "open")


@dataclass(frozen=True)
class PastLoad:
    load_id: int
    file_name: str
    checksum: str | None
    vendor: str | None
    details: dict


def past_load(con: duckdb.DuckDBPyConnection, load_id: int) -> PastLoad:
    """The load to remap, checked: it exists, came from an import and is in effect."""
    rows = con.execute(
        "select source, file_name, checksum, vendor, details, undone_at, superseded_by "
        "from loads where load_id = $id",
        {"id": load_id},
    ).fetchall()
    if not rows:
        raise ImportProblem(f"There is no load {load_id}; `crm-dashboard loads` lists them.")
    source, name, checksum, vendor, details, undone_at, superseded_by = rows[0]
    if superseded_by is not None:
        raise ImportProblem(
            f"Load {load_id} was already remapped as load {superseded_by}; remap that one."
        )
    if undone_at is not None:
        raise ImportProblem(f"Load {load_id} was undone; import its file again instead.")
    if source != "import" or not details:
        raise ImportProblem(
            f"Load {load_id} ({source}) was not imported from a file with a recorded mapping, "
            "so there is nothing to remap."
        )
    return PastLoad(load_id, name, checksum, vendor, json.loads(details))


def db_path(con: duckdb.DuckDBPyConnection) -> Path:
    row = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchall()
    return Path(row[0][0])


def kept_path(con: duckdb.DuckDBPyConnection, load: PastLoad) -> Path:
    path = kept.find(warehouse.import_dir(db_path(con)), load.load_id)
    if path is None:
        raise ImportProblem(
            f"The file of load {load.load_id} ({load.file_name}) is no longer kept beside the "
            "database (it was loaded before files were kept, or the imports folder was "
            f"cleaned): import {load.file_name} again with the mapping you want, then undo "
            f"load {load.load_id}.",
            file=load.file_name,
        )
    return path


def recorded_overrides(recorded: dict, table: str) -> tuple[dict[str, str], dict[str, str]]:
    """The recorded mapping as --map overrides for `table` (every field of the table set, so
    nothing is guessed anew) and its date formats as --date-format choices."""
    fields = recorded.get("fields", {})
    overrides = {name: "" for name in F.fields_of(table)}
    families = {}
    for name, spec in fields.items():
        if name in overrides:
            overrides[name] = " * ".join(spec["columns"])
            if spec.get("date_family") and len(spec["columns"]) == 1:
                families[spec["columns"][0]] = spec["date_family"]
    for entry in recorded.get("stage_entries", []) if table == "deals" else []:
        overrides[f"entered:{entry['stage']}"] = entry["column"]
        if entry.get("date_family"):
            families[entry["column"]] = entry["date_family"]
    return overrides, families


def with_stage_statuses(stage_map: pd.DataFrame, statuses: dict[str, str]) -> pd.DataFrame:
    """The stage map with some stages' status set by hand ('C6:WON=won')."""
    out = stage_map.copy()
    for name, status in statuses.items():
        if status not in STATUSES:
            raise ImportProblem(f"--stage {name}={status}: the status must be won, lost or open.")
        hits = (out["stage"].astype(str) == name) | (out["raw_stage"].astype(str) == name)
        if not hits.any():
            known = ", ".join(str(s) for s in out["stage"].dropna().unique())
            raise ImportProblem(
                f"--stage names {name!r}, which is not a stage of the file: {known}."
            )
        out.loc[hits, "status"] = status
    return out


def inspect(
    con: duckdb.DuckDBPyConnection,
    load_id: int,
    overrides: dict[str, str] | None = None,
    *,
    table: str | None = None,
    stages: dict[str, str] | None = None,
    date_families: dict[str, str] | None = None,
    allow_incomplete: bool = False,
) -> loader.Inspection:
    """Read load `load_id`'s kept file with its recorded mapping changed by `overrides`."""
    load = past_load(con, load_id)
    path = kept_path(con, load)
    recorded = load.details.get("mapping", {})
    target = table or recorded.get("table")
    merged, families = recorded_overrides(recorded, target)
    merged.update(overrides or {})
    families.update(date_families or {})
    families = {c: f for c, f in families.items() if c in merged.values()}
    stage_map = _recorded_stage_map(load, recorded, merged, target)
    vendor = load.vendor if load.vendor in VENDORS else "auto"

    def run(stage_map):
        return loader.inspect(
            con,
            path,
            load.file_name,
            table=target,
            vendor=vendor,
            overrides=merged,
            sheet=load.details.get("sheet"),
            stage_map=stage_map,
            date_families=families,
            allow_incomplete=allow_incomplete,
        )

    inspection = run(stage_map)
    if stages and inspection.conversion is not None:
        if inspection.conversion.stage_map is None:
            loader.close(con, inspection)
            raise ImportProblem("--stage applies to deals with a stage column.")
        changed = with_stage_statuses(inspection.conversion.stage_map, stages)
        loader.close(con, inspection)
        inspection = run(changed)
    inspection.staged.checksum = load.checksum or inspection.staged.checksum
    inspection.already_loaded_as = None
    inspection.mapping.fields = {
        name: choice
        if name in (overrides or {})
        else replace(choice, why=f"as in load {load_id}", confidence=1.0)
        for name, choice in inspection.mapping.fields.items()
    }
    return inspection


def _recorded_stage_map(load, recorded, merged, table) -> pd.DataFrame | None:
    """The stages as decided at the first load, while the stage column stays the same."""
    rows = load.details.get("stage_map")
    same_stage = recorded.get("fields", {}).get("stage", {}).get("columns") == [merged.get("stage")]
    if not rows or table != "deals" or recorded.get("table") != "deals" or not same_stage:
        return None
    return pd.DataFrame(rows)


def commit(
    con: duckdb.DuckDBPyConnection, load_id: int, inspection: loader.Inspection, user: str | None
) -> loader.LoadResult:
    """Load the remapped file as one load superseding `load_id` (one transaction)."""
    result = loader.commit(con, inspection, user=user, superseding=[load_id])
    return loader.LoadResult(
        result.load_id,
        result.rows_loaded,
        result.rows_rejected,
        f"Remapped load {load_id} as load {result.load_id}: {result.rows_loaded:,} rows of "
        f"{inspection.name} in {inspection.mapping.table}, {result.rows_rejected:,} rejected. "
        f"Undo load {result.load_id} to go back to load {load_id}.",
    )


def remap(
    con: duckdb.DuckDBPyConnection,
    load_id: int,
    overrides: dict[str, str] | None = None,
    *,
    table: str | None = None,
    stages: dict[str, str] | None = None,
    date_families: dict[str, str] | None = None,
    user: str | None = None,
) -> loader.LoadResult:
    """Remap load `load_id` and load it again, replacing it atomically."""
    inspection = inspect(
        con, load_id, overrides, table=table, stages=stages, date_families=date_families
    )
    try:
        return commit(con, load_id, inspection, user)
    finally:
        loader.close(con, inspection)
