"""Guesses from what a column holds.

`profile_columns` reads a sample of every column once (dates, numbers, flags, free text, how
values repeat) for the mapping to weigh every field and recognise tables by shape.

A file whose date column is called "When" or whose amount is "How much" still maps: an unused
column that reads as dates fills the table's required date, one that reads as amounts fills
its amount, one whose numbers sit on a 0-10 scale fills a survey score. Confidence stays below
a name match, and the grid says why.
"""

from __future__ import annotations

from dataclasses import replace

import duckdb

from dashboard.ingest import columns, formats
from dashboard.ingest import fields as F
from dashboard.ingest.files import RawTable
from dashboard.ingest.mapping import Choice, Mapping, Source

READABLE_SHARE = 0.9  # of sampled non-empty cells
PROFILE_ROWS = 2000


def profile_columns(
    con: duckdb.DuckDBPyConnection, raw: RawTable, month_first: bool
) -> dict[str, columns.ColumnProfile]:
    """Header -> what its column holds, from the first rows of the file."""
    names = raw.columns
    if not names:
        return {}
    select = ", ".join(f"trim({c})" for c in names.values())
    rows = con.execute(f"select {select} from {raw.table} limit {PROFILE_ROWS}").fetchall()
    missing = set(formats.MISSING_WORDS)
    out = {}
    for i, (header, column) in enumerate(names.items()):
        cells = [r[i] for r in rows if r[i] is not None and r[i].casefold() not in missing]
        share = 0.0
        if columns.looks_like_date_cells(cells):
            guess = formats.guess_date(con, raw.table, column, month_first)
            share = guess.parsed / guess.sampled if guess.sampled else 0.0
        out[header] = columns.profile(header, cells, share)
    return out


def fill_from_content(
    con: duckdb.DuckDBPyConnection, raw: RawTable, mapping: Mapping, month_first: bool
) -> Mapping:
    """The mapping with unmapped required date, amount and score fields filled by content."""
    if mapping.table is None:
        return mapping
    wanted = [
        name
        for alternatives in F.REQUIRED[mapping.table]
        if not any(mapping.source(a) for a in alternatives)
        for name in alternatives[:1]
    ]
    specs = F.fields_of(mapping.table)
    chosen = dict(mapping.fields)
    used = mapping.used_columns()
    for name in wanted:
        kind = specs[name].kind
        for header, column in raw.columns.items():
            if header in used or header.startswith("(unnamed"):
                continue
            share = _readable_share(con, raw, column, kind, month_first)
            if share is not None and share >= READABLE_SHARE:
                what = {F.DATE: "dates", F.AMOUNT: "amounts"}.get(kind, "scores from 0 to 10")
                chosen[name] = Choice(
                    Source((header,)), 0.5, f"content: {share:.0%} of its cells read as {what}"
                )
                used.add(header)
                break
    return replace(mapping, fields=chosen)


def _readable_share(con, raw: RawTable, column: str, kind: str, month_first: bool):
    if kind == F.DATE:
        guess = formats.guess_date(con, raw.table, column, month_first)
        return guess.parsed / guess.sampled if guess.sampled else None
    if kind not in (F.AMOUNT, F.NUMBER):
        return None
    number = formats.number_sql(column, ".")
    scale = "" if kind == F.AMOUNT else " and v between 0 and 10"
    sampled, readable = con.execute(
        f"with s as (select {number} as v from {raw.table} where not "
        f"{formats.missing_sql(column)} limit {formats.SAMPLE_ROWS}) "
        f"select count(*), count(*) filter (where v is not null{scale}) from s"
    ).fetchall()[0]
    return readable / sampled if sampled else None
