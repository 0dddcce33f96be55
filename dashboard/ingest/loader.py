"""Import a file end to end: inspect (guess, convert, report) then commit as one load.

`inspect` writes nothing to the warehouse: it stages the file, recognises the vendor, guesses or
applies a mapping, converts in temp tables and reports what would load and what would be
rejected. `commit` lands the accepted rows as one transaction, recorded in `loads`.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.ingest import convert, derive, files, kept, profiles
from dashboard.ingest.content import fill_from_content, profile_columns
from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.mapping import Mapping, apply_overrides, guess
from dashboard.ingest.vendors import LABELS, MONTH_FIRST_VENDORS, VENDORS, Recognition, recognise
from dashboard.store import warehouse


@dataclass
class Inspection:
    """A file read and mapped, not yet loaded."""

    staged: files.StagedFile
    raw: files.RawTable
    vendor: Recognition
    mapping: Mapping
    conversion: convert.Conversion | None  # None: the mapping lacks a required field
    rows_ok: int
    rows_rejected: int
    already_loaded_as: int | None
    notes: list[str] = field(default_factory=list)
    problem: str | None = None  # why nothing can load yet (a required field is not mapped)
    # What the mapping was guessed from (None: a saved profile gave it): batch.with_shared
    # reads them to know whether another file's values could change the guess.
    profiles: dict | None = None

    @property
    def name(self) -> str:
        return self.staged.name

    def mapping_rows(self) -> pd.DataFrame:
        """The mapping as a grid: field, file column(s), confidence, why."""
        from dashboard.ingest.fields import TABLES

        rows = []
        for spec in TABLES.get(self.mapping.table or "", ()):
            choice = self.mapping.fields.get(spec.name)
            rows.append(
                {
                    "field": spec.name,
                    "column": choice.source.describe() if choice and choice.source else "",
                    "confidence": choice.confidence if choice and choice.source else None,
                    "why": choice.why if choice and choice.source else "",
                }
            )
        for entry in self.mapping.stage_entries:
            rows.append(
                {
                    "field": f"entered:{entry.stage}",
                    "column": entry.column,
                    "confidence": 1.0,
                    "why": "date the deal entered this stage",
                }
            )
        return pd.DataFrame(rows, columns=["field", "column", "confidence", "why"])


@dataclass(frozen=True)
class LoadResult:
    load_id: int | None  # None when nothing was loaded (already loaded)
    rows_loaded: int
    rows_rejected: int
    message: str


def inspect(
    con: duckdb.DuckDBPyConnection,
    source: Path | bytes,
    name: str,
    *,
    table: str | None = None,
    vendor: str = "auto",
    overrides: dict[str, str] | None = None,
    profile: str | None = None,
    sheet: str | None = None,
    stage_map: pd.DataFrame | None = None,
    date_families: dict[str, str] | None = None,
    allow_incomplete: bool = False,
    shared: dict[str, set[str]] | None = None,
) -> Inspection:
    """Stage, recognise, map and convert a file; nothing is written to the warehouse.

    With allow_incomplete, a mapping that lacks a required field gives an Inspection with no
    conversion and the reason in `problem` (the page shows the grid to fix it) instead of
    raising. shared: values of other files' columns dropped together (see mapping.guess)."""
    folder = warehouse.import_dir(_db_path(con))
    staged = files.stage(source, name, folder, sheet=sheet)
    raw = None
    try:
        raw = files.read_raw(con, staged)
        recognition = _vendor(staged.headers, vendor)
        month_first = recognition.vendor in MONTH_FIRST_VENDORS
        mapping, note, columns = _mapping(con, staged, raw, recognition, table, profile, shared)
        notes = staged.notes + ([note] if note else []) + mapping.notes
        if mapping.table is None:  # fits no table: "don't load" (page), refused (CLI)
            problem = ImportProblem(mapping.reason or f"{staged.name} fits no table.")
            if not allow_incomplete:
                raise problem
            return Inspection(
                staged,
                raw,
                recognition,
                mapping,
                None,
                0,
                0,
                None,
                notes,
                problem=str(problem),
                profiles=columns,
            )
        if mapping.profile is None and not profile:
            mapping = fill_from_content(con, raw, mapping, month_first)
        if overrides:
            mapping = apply_overrides(mapping, overrides, staged.headers)
        if date_families:
            mapping = _with_date_families(mapping, date_families, staged.headers)
        missing = convert.missing_fields_problem(raw, mapping)
        if missing and allow_incomplete:
            return Inspection(
                staged,
                raw,
                recognition,
                mapping,
                None,
                0,
                0,
                None,
                notes,
                problem=str(missing),
                profiles=columns,
            )
        conversion = convert.convert(con, raw, mapping, recognition, stage_map)
        derive.apply(con, conversion)  # segment from company size when the file has none
        files.release(con, raw)
        ok, bad = conversion.counts(con)
        duplicate = warehouse.scalar(
            con,
            "select max(load_id) from loads where checksum = $c and undone_at is null",
            {"c": staged.checksum},
        )
        notes = notes + conversion.notes
        return Inspection(
            staged, raw, recognition, mapping, conversion, ok, bad, duplicate, notes, None, columns
        )
    except BaseException:
        if raw is not None:
            files.discard(con, raw)
        staged.path.unlink(missing_ok=True)
        raise


def _db_path(con: duckdb.DuckDBPyConnection) -> Path:
    row = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchall()
    return Path(row[0][0])


def _vendor(headers: list[str], vendor: str) -> Recognition:
    if vendor == "auto":
        return recognise(headers)
    if vendor not in VENDORS:
        raise ImportProblem(f"Unknown source {vendor!r}; use auto or one of {', '.join(VENDORS)}.")
    return Recognition(vendor, 1.0, ("chosen by you",))


def _mapping(
    con, staged, raw, recognition, table, profile, shared=None
) -> tuple[Mapping, str | None, dict | None]:
    """The mapping, a note on where it came from, and the column profiles it was guessed
    from (None when a saved profile gave it)."""
    if profile:
        saved = profiles.named(con, profile)
        return (
            Mapping.from_json(saved, staged.headers, f"profile {profile!r}"),
            f"Mapping from profile {profile!r}.",
            None,
        )
    found = profiles.for_headers(con, staged.headers)
    if found and (table is None or json.loads(found[1])["table"] == table):
        mapping = Mapping.from_json(found[1], staged.headers, f"profile {found[0]!r}")
        mapping.profile = found[0]
        return mapping, f"Mapping from saved profile {found[0]!r} (same columns).", None
    month_first = recognition.vendor in MONTH_FIRST_VENDORS
    columns = profile_columns(con, raw, month_first)
    return guess(staged.headers, staged.name, recognition, table, columns, shared), None, columns


def _with_date_families(mapping: Mapping, families: dict[str, str], headers: list[str]):
    """Each --date-format COLUMN=FAMILY on the mapped field(s) or the "entered stage" column
    that reads COLUMN: every date column that can be undecided can be answered."""
    from dataclasses import replace

    from dashboard.ingest.formats import FAMILIES

    out = dict(mapping.fields)
    entries = list(mapping.stage_entries)
    for column, family in families.items():
        if family not in FAMILIES:
            raise ImportProblem(
                f"Unknown date format {family!r}; use one of {', '.join(FAMILIES)}.", column=column
            )
        hits = [k for k, c in out.items() if c.source and c.source.columns == (column,)]
        stage_hits = [i for i, e in enumerate(entries) if e.column == column]
        if not hits and not stage_hits:
            raise ImportProblem(
                f"--date-format names {column!r}, which is not a mapped date column.", column=column
            )
        for k in hits:
            out[k] = replace(out[k], date_family=family)
        for i in stage_hits:
            entries[i] = replace(entries[i], date_family=family)
    return replace(mapping, fields=out, stage_entries=entries)


def commit(
    con: duckdb.DuckDBPyConnection,
    inspection: Inspection,
    *,
    all_or_nothing: bool = False,
    user: str | None = None,
    remove_sample: bool = False,
    progress: Callable[[float, str], None] | None = None,
    superseding: Sequence[int] = (),
) -> LoadResult:
    """Load the accepted rows as one load; the warehouse is unchanged if anything fails.
    `superseding`: loads this one replaces (a remap), undone by undoing this one."""
    step = progress or (lambda fraction, text: None)
    parts = load_parts(
        con, inspection, all_or_nothing=all_or_nothing, user=user, superseding=superseding
    )
    if parts is None:
        return already_loaded(inspection)
    step(0.3, "writing rows")
    # The sample goes in the load's own transaction: a crash leaves both or neither.
    replaced_sample = sample_loads(con) if remove_sample else []
    try:
        load_id = warehouse.load_relations(
            con, *parts, undoing=replaced_sample, superseding=superseding
        )
    except warehouse.AlreadyLoaded as exc:  # someone loaded it since the inspection
        inspection.already_loaded_as = exc.load_id
        return already_loaded(inspection)
    keep_file(con, inspection, load_id)
    step(1.0, "done")
    return loaded(inspection, load_id, bool(replaced_sample))


def load_parts(
    con: duckdb.DuckDBPyConnection,
    inspection: Inspection,
    *,
    all_or_nothing: bool = False,
    user: str | None = None,
    superseding: Sequence[int] = (),
) -> tuple[dict[str, str], warehouse.LoadInfo] | None:
    """What a load of this inspection writes (relation per canonical table, in load order) and
    records; None when the file is already loaded (unless it supersedes a load: a remap of the
    same file). Raises ImportProblem when it cannot load."""
    name = inspection.name
    if inspection.conversion is None:
        raise ImportProblem(inspection.problem or f"{name} cannot be loaded yet.", file=name)
    refusal = inspection.conversion.refusal()  # e.g. a date column nobody has decided
    if refusal:
        raise ImportProblem(refusal, file=name)
    if inspection.already_loaded_as is not None and not superseding:
        return None
    if inspection.rows_ok == 0:
        raise ImportProblem(
            f"No row of {name} can be loaded: all {inspection.rows_rejected} "
            "were rejected (see the report).",
            file=name,
        )
    if all_or_nothing and inspection.rows_rejected:
        first = inspection.conversion.rejected(con, limit=1).iloc[0]
        raise ImportProblem(
            f"{name}: {inspection.rows_rejected} rows would be rejected (first: line "
            f"{first['line']}, column {first['column']!r}: {first['reason']}); nothing was "
            "loaded because all-or-nothing was asked for.",
            file=name,
            line=int(first["line"]),
        )
    conv = inspection.conversion
    sources = {inspection.mapping.table: conv.accepted_relation(), **conv.children}
    ordered = {t: sources[t] for t in warehouse.CANONICAL_TABLES if t in sources}
    info = warehouse.LoadInfo(
        source="import",
        file_name=name,
        checksum=inspection.staged.checksum,
        user_name=user or _user(),
        vendor=inspection.vendor.vendor,
        rows_rejected=inspection.rows_rejected,
        details=json.dumps(
            {
                "mapping": json.loads(inspection.mapping.to_json()),
                "notes": inspection.notes,
                **_remap_details(inspection),
            },
            ensure_ascii=False,
        ),
    )
    return ordered, info


def keep_file(con: duckdb.DuckDBPyConnection, inspection: Inspection, load_id: int) -> None:
    """Keep the staged file with its load, so the load can be remapped without re-uploading."""
    kept.keep(inspection.staged, warehouse.import_dir(_db_path(con)), load_id)


def already_loaded(inspection: Inspection) -> LoadResult:
    return LoadResult(
        None,
        0,
        0,
        f"{inspection.name} was already loaded as load {inspection.already_loaded_as}; "
        "nothing was added.",
    )


def loaded(inspection: Inspection, load_id: int, removed_sample: bool) -> LoadResult:
    removed = " The sample data was removed." if removed_sample else ""
    return LoadResult(
        load_id,
        inspection.rows_ok,
        inspection.rows_rejected,
        f"Loaded {inspection.rows_ok:,} rows of {inspection.name} into "
        f"{inspection.mapping.table} as load {load_id}; "
        f"{inspection.rows_rejected:,} rejected.{removed}",
    )


def _remap_details(inspection: Inspection) -> dict[str, object]:
    """What a remap needs besides the mapping: the sheet read and the stages as decided."""
    stage_map = inspection.conversion.stage_map if inspection.conversion else None
    return {
        "sheet": inspection.staged.sheet,
        "stage_map": None if stage_map is None else json.loads(stage_map.to_json(orient="records")),
    }


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "local"


def sample_loads(con: duckdb.DuckDBPyConnection) -> list[int]:
    rows = con.execute("select load_id from loads where is_sample and undone_at is null").fetchall()
    return [r[0] for r in rows]


def close(con: duckdb.DuckDBPyConnection, inspection: Inspection) -> None:
    """Drop the temp tables and the staged copy."""
    if inspection.conversion is not None:
        convert.discard(con, inspection.conversion)
    files.discard(con, inspection.raw)


def describe_table(mapping: Mapping) -> str:
    """'deals (70% sure: no amount, no creation date)': the table and what it will lack."""
    return mapping.summary()


def describe_vendor(recognition: Recognition) -> str:
    if recognition.vendor == "generic":
        return LABELS["generic"]
    return f"{recognition.label} ({recognition.confidence:.0%} sure)"
