"""What a mapping can answer: which pages and tiles the files feed, which stay empty and why.

Built from core/needs.py, the one declaration of what each page, tile and health metric reads,
so the check before loading, the report after it and the tiles' "no data" say the same thing.
Before loading the fields come from the mappings (a field is fed when a column is mapped to
it, or to what it is derived from: a stage gives the status, a company name the account);
after loading, from the data in effect (needs.fed_in_warehouse).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import duckdb

from dashboard.core import needs
from dashboard.ingest import fields as F
from dashboard.ingest.mapping import Mapping

# A field fed by a column mapped to another: what the conversion derives (convert.py).
DERIVES = {
    ("deals", "stage"): ("status",),
    ("deals", "is_won"): ("status",),
    ("deals", "is_closed"): ("status",),
    ("orders", "unit_price"): ("amount",),
}
DERIVES_ANYWHERE = {"account_name": ("account_id",)}
DATE_WORDS = {"date", "time", "timestamp", "created", "opened", "closed", "on", "at", "day"}
PAGE_ORDER = ("Overview", "Funnel", "Retention", "Satisfaction", "Competitors", "Health")


@dataclass(frozen=True)
class Answer:
    page: str
    key: str
    label: str
    why: str | None  # None: the files feed it; else what is missing and the fix


@dataclass(frozen=True)
class MappedFile:
    """A file as the check sees it: its mapping and its columns (to suggest an unmapped one)."""

    name: str
    mapping: Mapping
    headers: Sequence[str]


def fed_by(mapping: Mapping) -> set[tuple[str, str]]:
    """(table, field) pairs a mapping fills, derived fields included."""
    table = mapping.table
    out = set()
    for name, choice in mapping.fields.items():
        if not choice.source:
            continue
        out.add((table, name))
        for derived in DERIVES.get((table, name), ()) + DERIVES_ANYWHERE.get(name, ()):
            out.add((table, derived))
    if mapping.stage_entries:
        out |= {("deal_stage_history", f) for f in ("deal_id", "stage", "entered_at")}
    return out


def before_loading(files: Iterable[MappedFile]) -> list[Answer]:
    """What these files, loaded together, can answer, with the fix for each empty tile."""
    files = list(files)
    fed: set[tuple[str, str]] = set()
    for f in files:
        fed |= fed_by(f.mapping)
    tables = {f.mapping.table for f in files}
    out = []
    for n in needs.NEEDS:
        groups = needs.unmet(n, fed)
        why = "; ".join(dict.fromkeys(_fix(g, files, tables) for g in groups)) or None
        out.append(Answer(n.page, n.key, n.label, why))
    return out


def after_loading(cur: duckdb.DuckDBPyConnection) -> list[Answer]:
    """What the data in effect answers; empty tiles say what to map (or remap)."""
    fed = needs.fed_in_warehouse(cur)
    tables = needs.tables_with_rows(fed)
    out = []
    for n in needs.NEEDS:
        groups = needs.unmet(n, fed)
        why = needs.missing_sentence(groups, tables, "import page") if groups else None
        out.append(Answer(n.page, n.key, n.label, why))
    return out


def _fix(group: tuple[needs.Input, ...], files: list[MappedFile], tables: set[str]) -> str:
    """'map an amount column (close_value looks like one)' or 'no file gives orders (...)'."""
    if all(i.table not in tables for i in group):
        table = group[0].table
        return f"no file gives {needs.TABLE_WORDS.get(table, table)}"
    what = " or ".join(i.what for i in group)
    hint = next(
        (
            f"{column} looks like one"
            for i in group
            for f in files
            if f.mapping.table == i.table
            for column in [suggest(f, i.field)]
            if column
        ),
        None,
    )
    return f"map {what}" + (f" ({hint})" if hint else "")


def suggest(file: MappedFile, field: str) -> str | None:
    """An unmapped column whose name shares a word with the field's names, if any."""
    spec = F.fields_of(file.mapping.table).get(field)
    if spec is None:
        return None
    used = file.mapping.used_columns()
    words = {w for s in (F.normalise(field), *spec.synonyms) for w in s.split() if len(w) > 2}
    if spec.kind == F.DATE:
        words = (words | DATE_WORDS) - {"at", "on"}
    for header in file.headers:
        if header not in used and set(F.normalise(header).split()) & words:
            return header
    return None


def lines(answers: Sequence[Answer]) -> list[str]:
    """One line per page for what is fed, one per reason for what stays empty:
    'Overview: won amount, average deal size — map an amount column (close_value looks
    like one)'."""
    out = []
    pages = sorted({a.page for a in answers}, key=_page_rank)
    for page in pages:
        mine = [a for a in answers if a.page == page]
        fed = [a.label for a in mine if a.why is None]
        if fed:
            out.append(f"{page}: {', '.join(fed)}")
        reasons: dict[str, list[str]] = {}
        for a in mine:
            if a.why is not None:
                reasons.setdefault(a.why, []).append(a.label)
        for why, labels in reasons.items():
            out.append(f"{page}: {', '.join(labels)} — {why}")
    return out


def empty_lines(answers: Sequence[Answer]) -> list[str]:
    """Only the lines about what stays empty (the short form for a page under each file)."""
    return lines([a for a in answers if a.why is not None])


def _page_rank(page: str) -> int:
    return PAGE_ORDER.index(page) if page in PAGE_ORDER else len(PAGE_ORDER)
