"""Segment from company size, for accounts whose export gives none (product.md).

An accounts file with employees (or annual revenue) but no segment gets one from size bands:
by default under 100 employees SMB, 100-999 Mid-market, 1,000+ Enterprise. Each derived row is
marked in accounts.segment_source ('derived from employees'), so the import check and the
sidebar's Segment filter can say the segments were derived, not exported.

The bands can be changed with a small TOML file named by $CRM_DASHBOARD_SEGMENT_BANDS:

    employees = [
        { below = 50, segment = "Small" },
        { below = 500, segment = "Medium" },
        { segment = "Large" },              # no bound: everything else
    ]
    annual_revenue = [                       # off unless configured (units vary by export)
        { below = 10_000_000, segment = "SMB" },
        { segment = "Enterprise" },
    ]

A measure the file lists replaces its default; `employees = []` turns employee bands off.
Employees win over revenue when an account has both.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dashboard.ingest import convert
from dashboard.ingest.errors import ImportProblem

BANDS_ENV = "CRM_DASHBOARD_SEGMENT_BANDS"
# In order of preference: the first measure an account has decides its segment.
MEASURES = {"employees": "employees", "annual_revenue": "annual revenue"}


@dataclass(frozen=True)
class Band:
    segment: str
    below: float | None  # exclusive upper bound; None = no bound (the last band)


DEFAULT_BANDS: dict[str, tuple[Band, ...]] = {
    "employees": (Band("SMB", 100), Band("Mid-market", 1000), Band("Enterprise", None)),
    "annual_revenue": (),
}


class BandsError(ImportProblem):
    """The segment bands file is wrong; the message names the file and what to fix."""


def source_label(measure: str) -> str:
    """What accounts.segment_source holds for a segment derived from `measure`."""
    return f"derived from {MEASURES[measure]}"


def configured_bands(path: Path | None = None) -> dict[str, tuple[Band, ...]]:
    """The bands in force: $CRM_DASHBOARD_SEGMENT_BANDS (or `path`) over the defaults."""
    if path is None:
        configured = os.environ.get(BANDS_ENV, "").strip()
        if not configured:
            return dict(DEFAULT_BANDS)
        path = Path(configured).expanduser()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BandsError(
            f"Cannot read the segment bands file {path} (${BANDS_ENV}): {exc.strerror}."
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise BandsError(f"The segment bands file {path} is not valid TOML: {exc}.") from exc
    unknown = set(data) - set(MEASURES)
    if unknown:
        raise BandsError(
            f"The segment bands file {path} has {', '.join(sorted(unknown))}; "
            f"only {', '.join(MEASURES)} can hold bands."
        )
    out = dict(DEFAULT_BANDS)
    for measure in MEASURES:
        if measure in data:
            out[measure] = _bands(data[measure], f"{path}: {measure}")
    return out


def _bands(items: object, where: str) -> tuple[Band, ...]:
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise BandsError(f'{where} must be a list of {{ below = N, segment = "Name" }}.')
    bands = []
    for n, item in enumerate(items, start=1):
        segment, below = item.get("segment"), item.get("below")
        if not isinstance(segment, str) or not segment.strip():
            raise BandsError(f'{where}, band {n}: give it a segment name (segment = "SMB").')
        if below is not None and (isinstance(below, bool) or not isinstance(below, int | float)):
            raise BandsError(f"{where}, band {n}: below must be a number, got {below!r}.")
        bands.append(Band(segment.strip(), below))
    bounds = [b.below for b in bands]
    if any(b is None for b in bounds[:-1]):
        raise BandsError(f"{where}: only the last band may have no `below` bound.")
    numbers = [b for b in bounds if b is not None]
    if numbers != sorted(set(numbers)):
        raise BandsError(f"{where}: the `below` bounds must increase from band to band.")
    return tuple(bands)


def describe(measure: str, bands: tuple[Band, ...]) -> str:
    """'under 100 SMB, 100–999 Mid-market, 1,000+ Enterprise' (employees are whole numbers)."""
    whole = measure == "employees"
    parts, low = [], None
    for band in bands:
        if band.below is None:
            span = f"{_number(low)}+" if low is not None else "any size"
        elif low is None:
            span = f"under {_number(band.below)}"
        elif whole:
            span = f"{_number(low)}–{_number(band.below - 1)}"
        else:
            span = f"{_number(low)} to under {_number(band.below)}"
        parts.append(f"{span} {band.segment}")
        low = band.below
    return ", ".join(parts)


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


def _case_sql(column: str, bands: tuple[Band, ...], params: dict[str, object], tag: str) -> str:
    """A CASE over `column` whose bounds and names are bound parameters."""
    whens = []
    for n, band in enumerate(bands):
        params[f"{tag}_s{n}"] = band.segment
        if band.below is None:
            whens.append(f"else ${tag}_s{n}")
        else:
            params[f"{tag}_b{n}"] = band.below
            whens.append(f"when {column} < ${tag}_b{n} then ${tag}_s{n}")
    return f"case {' '.join(whens)} end"


def derive_segments(
    con: duckdb.DuckDBPyConnection,
    converted: str,
    accepted: str,
    mapped: set[str],
    bands: dict[str, tuple[Band, ...]] | None = None,
) -> list[str]:
    """Fill segment for accepted rows of a converted accounts table that have none, from
    employees or annual revenue; add segment_source to the table and to its accepted view.
    Returns the notes for the import check (empty when nothing was derived)."""
    bands = configured_bands() if bands is None else bands
    con.execute(f"alter table {converted} add column if not exists segment_source varchar")
    # An unmapped segment is a column of nulls with no type yet: make it text to fill it.
    con.execute(f"alter table {converted} alter column segment type varchar")
    notes = []
    for measure, label in MEASURES.items():
        if measure not in mapped or not bands.get(measure):
            continue
        params: dict[str, object] = {"source": source_label(measure)}
        case = _case_sql(measure, bands[measure], params, measure)
        updated = con.execute(
            f"update {converted} set segment = {case}, segment_source = $source"
            f" where segment is null and {measure} is not null and len(__errors) = 0",
            params,
        ).fetchall()[0][0]
        if updated:
            total = con.execute(
                f"select count(*) from {converted} where len(__errors) = 0"
            ).fetchall()[0][0]
            notes.append(
                f"Segment derived from {label} for {updated:,} of {total:,} accounts "
                f"({describe(measure, bands[measure])}; change the bands with ${BANDS_ENV})."
            )
    columns = [d[0] for d in con.execute(f"select * from {accepted} limit 0").description]
    if "segment_source" not in columns:
        con.execute(
            f"create or replace temp view {accepted} as select {', '.join(columns)},"
            f" segment_source from {converted} where len(__errors) = 0"
        )
    return notes


def segment_origin(con: duckdb.DuckDBPyConnection) -> str | None:
    """'derived from employees' when some loaded accounts' segments were derived (the most
    common origin, with 'for some accounts' when not all segments were), else None."""
    rows = con.execute(
        "select segment_source, count(*) as n, (select count(*) from accounts"
        " where segment is not null) as total from accounts where segment_source is not null"
        " group by segment_source order by n desc, segment_source"
    ).fetchall()
    if not rows:
        return None
    source, n, total = rows[0]
    derived = sum(r[1] for r in rows)
    return source if derived >= total else f"{source} for some accounts"


def apply(con: duckdb.DuckDBPyConnection, conversion) -> None:
    """The loader's hook: derive segments in an accounts conversion, notes into its notes."""
    mapping = conversion.mapping
    if mapping.table != "accounts":
        return
    mapped = {name for name in MEASURES if mapping.source(name)}
    try:
        notes = derive_segments(con, conversion.table, conversion.accepted_relation(), mapped)
    except BaseException:
        convert.discard(con, conversion)  # a bad bands file leaves no temp table behind
        raise
    conversion.notes.extend(notes)
