"""Guess the target table and a column mapping for a file, with a confidence for each guess.

A mapping says, for each canonical field, which file column(s) feed it; it serialises to JSON
so it can be saved as a profile, recorded with a load and edited in a grid or on the CLI.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from dashboard.ingest import columns as C
from dashboard.ingest import fields as F
from dashboard.ingest import headers as H
from dashboard.ingest import shapes as S
from dashboard.ingest.columns import ColumnProfile
from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.vendors import HUBSPOT_ENTERED, Recognition

DERIVED = re.compile(r"^\s*(?P<a>.+?)\s*[*×x]\s*(?P<b>.+?)\s*$")
SKIP = "(don't load)"  # guess(table=SKIP): the person chose not to load the file
MIN_SCORE = 0.3  # a name match times its content fit below this is no match
READABLE_SHARE = 0.9  # of sampled cells, for a field found by content alone
SHARED_WEIGHT = 0.9  # a name borrowed from another file's column weighs a little less
SHARED_SHARE = 0.5  # of a column's distinct values found in the other file's column
QUESTION_FIELDS = frozenset({"score", "comment"})  # fed by a form's question columns
MISSING_COST = 0.15  # confidence lost per important field left unmapped
# Fields whose absence leaves pages empty, as alternatives, with the words the summary uses:
# "deals (70% sure: no amount, no creation date)". Tables not listed use REQUIRED.
IMPORTANT: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "deals": (
        (("amount",), "no amount"),
        (("created_at",), "no creation date"),
        (("closed_at",), "no close date"),
        (("account_id", "account_name"), "no account"),
        (("owner",), "no owner"),
    ),
    "orders": (
        (("product",), "no product"),
        (("account_id", "account_name"), "no customer"),
        (("ordered_at",), "no order date"),
        (("amount", "unit_price"), "no amount"),
    ),
    "surveys": ((("responded_at",), "no date"), (("score",), "no score")),
}


@dataclass(frozen=True)
class Source:
    """One file column, or the product of two (amount = Quantity × UnitPrice)."""

    columns: tuple[str, ...]

    def describe(self) -> str:
        return " × ".join(self.columns)

    @classmethod
    def parse(cls, text: str, headers: list[str]) -> Source | None:
        """'Close Date', or 'Quantity * UnitPrice' / 'Quantity × UnitPrice'; None for blank."""
        text = (text or "").strip()
        if not text or text.lower() in ("(none)", "none", "-"):
            return None
        by_name = {h.casefold(): h for h in headers}
        if text.casefold() in by_name:
            return cls((by_name[text.casefold()],))
        match = DERIVED.match(text)
        if match and all(x.strip().casefold() in by_name for x in match.group("a", "b")):
            return cls(tuple(by_name[x.strip().casefold()] for x in match.group("a", "b")))
        raise ImportProblem(
            f"The mapping names a column {text!r} that the file does not have; "
            f"its columns are: {', '.join(headers)}.",
            column=text,
        )


@dataclass(frozen=True)
class Choice:
    source: Source | None
    confidence: float  # 0-1
    why: str
    date_family: str | None = None  # for date fields; None = detect


@dataclass(frozen=True)
class StageEntry:
    """A date column meaning 'the deal entered this stage on this date'."""

    column: str
    stage: str
    pipeline: str | None = None
    date_family: str | None = None  # how its dates read (--date-format); None = detect


@dataclass
class Mapping:
    table: str | None  # None: the file fits no table ("don't load"); `reason` says why
    table_confidence: float
    fields: dict[str, Choice]
    stage_entries: list[StageEntry] = field(default_factory=list)
    decimal: str | None = None  # None = detect per column
    profile: str | None = None
    notes: list[str] = field(default_factory=list)  # how the guess was made, for the report
    reason: str | None = None  # why no table, when table is None

    def source(self, name: str) -> Source | None:
        choice = self.fields.get(name)
        return choice.source if choice else None

    def used_columns(self) -> set[str]:
        used = {c for ch in self.fields.values() if ch.source for c in ch.source.columns}
        return used | {e.column for e in self.stage_entries}

    def missing_important(self) -> list[str]:
        """What the pages will lack, in words ('no amount', 'no creation date')."""
        if self.table is None:
            return []
        wanted = IMPORTANT.get(self.table) or tuple(
            (alts, f"no {' or '.join(alts)}") for alts in F.REQUIRED[self.table]
        )
        return [words for alts, words in wanted if not any(self.source(a) for a in alts)]

    @property
    def confidence(self) -> float:
        """The table's confidence, lowered for each important field left unmapped: never
        "100% sure" of a deals file without its amount."""
        missing = len(self.missing_important())
        return round(max(0.05, min(self.table_confidence, 1.0 - MISSING_COST * missing)), 2)

    def summary(self) -> str:
        """'deals (70% sure: no amount, no creation date)', or why nothing will load."""
        if self.table is None:
            return f"none, don't load ({self.reason or 'no table fits'})"
        missing = self.missing_important()
        gaps = f": {', '.join(missing)}" if missing else ""
        return f"{self.table} ({self.confidence:.0%} sure{gaps})"

    def missing_required(self) -> list[str]:
        """Required alternatives not satisfied, in words ('amount or unit_price')."""
        if self.table is None:
            return []
        out = []
        for alternatives in F.REQUIRED[self.table]:
            if not any(self.source(a) for a in alternatives):
                out.append(" or ".join(alternatives))
        return out

    def to_json(self) -> str:
        data = {
            "table": self.table,
            "fields": {
                k: {"columns": list(c.source.columns), "date_family": c.date_family}
                for k, c in self.fields.items()
                if c.source
            },
            "stage_entries": [asdict(e) for e in self.stage_entries],
            "decimal": self.decimal,
        }
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, headers: list[str], why: str) -> Mapping:
        data = json.loads(text)
        present = set(headers)
        choices = {}
        for name, spec in data["fields"].items():
            columns = tuple(spec["columns"])
            if not set(columns) <= present:
                continue
            choices[name] = Choice(Source(columns), 1.0, why, spec.get("date_family"))
        entries = [StageEntry(**e) for e in data.get("stage_entries", []) if e["column"] in present]
        return cls(data["table"], 1.0, choices, entries, data.get("decimal"))


def header_signature(headers: list[str]) -> str:
    """Same columns (any order, any case) -> same signature: how profiles find their files."""
    names = sorted(F.normalise(h) for h in headers)
    return hashlib.sha256("\x1f".join(names).encode()).hexdigest()[:16]


def header_matches(
    table: str,
    headers: list[str],
    profiles: dict[str, ColumnProfile] | None = None,
    shared: dict[str, set[str]] | None = None,
) -> dict[str, Choice]:
    """Each field's best header by its words and content; a header feeds one field at most."""
    aliases = shared_names(headers, profiles, shared)
    candidates = []
    for spec in F.TABLES[table]:
        for position, header in enumerate(headers):
            if HUBSPOT_ENTERED.match(header) or header.startswith("(unnamed"):
                continue
            found = H.match(header, spec.name, spec.synonyms, spec.name in QUESTION_FIELDS)
            for other in aliases.get(header, ()):
                via = H.match(other, spec.name, spec.synonyms)
                if via.score * SHARED_WEIGHT > found.score:
                    why = f"its values are the {other!r} of another file"
                    found = H.Match(via.score * SHARED_WEIGHT, via.rank, why)
            if not found.score:
                continue
            column = profiles.get(header) if profiles else None
            score = found.score * C.fit(column, spec)
            if score >= MIN_SCORE:
                candidates.append((-score, found.rank, position, spec.name, header, found.how))
    chosen: dict[str, Choice] = {}
    taken: set[str] = set()
    for neg_score, _rank, _pos, name, header, how in sorted(candidates):
        if name in chosen or header in taken:
            continue
        chosen[name] = Choice(Source((header,)), round(-neg_score, 2), how)
        taken.add(header)
    return chosen


def guess_fields(
    table: str,
    headers: list[str],
    profiles: dict[str, ColumnProfile] | None = None,
    shared: dict[str, set[str]] | None = None,
) -> dict[str, Choice]:
    """Fields by words, then what names leave out: a start date for a missing creation date,
    required fields (and a survey's comment) by content."""
    chosen = header_matches(table, headers, profiles, shared)
    _start_date(table, headers, chosen, profiles)
    if profiles:
        _fill_by_content(table, headers, chosen, profiles)
    return chosen


def shared_names(
    headers: list[str],
    profiles: dict[str, ColumnProfile] | None,
    shared: dict[str, set[str]] | None,
) -> dict[str, list[str]]:
    """Header -> headers of other files whose values it shares (a deals file's `rep` whose
    names are a teams file's `sales_agent` reads as that `sales_agent`: the owner)."""
    if not profiles or not shared:
        return {}
    out: dict[str, list[str]] = {}
    others = {name: {str(v).strip().casefold() for v in values} for name, values in shared.items()}
    for header in headers:
        column = profiles.get(header)
        if column is None or not column.values or column.numeric >= 0.9 or column.flag:
            continue
        for name, values in others.items():
            common = column.values & values
            if len(common) >= 2 and len(common) >= SHARED_SHARE * len(column.values):
                out.setdefault(header, []).append(name)
    return out


def _start_date(table, headers, chosen, profiles) -> None:
    """No creation date: the earliest "start" date (engaged, begin, opened) stands in."""
    spec = F.fields_of(table).get("created_at")
    if spec is None or "created_at" in chosen:
        return
    taken = {c for ch in chosen.values() if ch.source for c in ch.source.columns}
    for header in headers:
        column = profiles.get(header) if profiles else None
        if header not in taken and H.is_start_date(header) and C.fit(column, spec) >= 0.6:
            why = f"start date: no creation date in the file, so {header!r} stands in for it"
            chosen["created_at"] = Choice(Source((header,)), 0.6, why)
            return


def _fill_by_content(table, headers, chosen, profiles) -> None:
    """Required fields no name gave away, from what the columns hold (below any name match)."""
    specs = F.fields_of(table)
    taken = {c for ch in chosen.values() if ch.source for c in ch.source.columns}
    wanted = [alts[0] for alts in F.REQUIRED[table] if not any(a in chosen for a in alts)]
    if table == "surveys" and "comment" not in chosen:
        wanted.append("comment")
    for name in wanted:
        for header in headers:
            column = profiles.get(header)
            if header in taken or column is None or header.startswith("(unnamed"):
                continue
            what = _content_says(column, specs[name])
            if what:
                chosen[name] = Choice(Source((header,)), 0.5, f"content: {what}")
                taken.add(header)
                break


def _content_says(column: ColumnProfile, spec: F.Field) -> str | None:
    if column.filled == 0:
        return None
    if spec.kind == F.DATE and column.date >= READABLE_SHARE:
        return f"{column.date:.0%} of its cells read as dates"
    if spec.kind == F.AMOUNT and column.numeric >= READABLE_SHARE and column.date < 0.5:
        return f"{column.numeric:.0%} of its cells read as amounts"
    if spec.kind == F.NUMBER and spec.name == "score" and column.is_score:
        return f"{column.numeric:.0%} of its cells read as scores from 0 to 10"
    if spec.name in C.FREE_TEXT_FIELDS and column.is_free_text:
        return "free text"
    return None


@dataclass(frozen=True)
class _Candidate:
    table: str
    score: float
    choices: dict[str, Choice]
    required_ok: bool
    named: int  # fields found by their names, not by content
    evidence: str | None


def _table_candidate(table, headers, file_name, vendor, profiles, shared, history) -> _Candidate:
    choices = guess_fields(table, headers, profiles, shared)
    specs = F.fields_of(table)
    matched = sum(c.confidence for c in choices.values())
    required_ok = all(any(a in choices for a in alts) for alts in F.REQUIRED[table])
    score = matched / (len(specs) ** 0.5) + 0.3 * len(choices) / max(len(headers), 1)
    stem = Path(file_name).stem.lower()
    hinted = any(hint in stem for hint in F.FILE_NAME_HINTS.get(table, ()))
    if hinted:
        score += 1.5 if table == "deal_stage_history" else 0.6  # "history" says the most
    if vendor.vendor != "generic" and table == "deals":
        score += 0.8  # the CRMs we recognise are recognised from their deal exports
    if table == "deals" and any(HUBSPOT_ENTERED.match(h) for h in headers):
        score += 1.0
    picked = {k: c.source.columns[0] for k, c in choices.items() if c.source}
    found = S.shape(table, picked, headers, profiles, history)
    score = (score + found.bonus) * found.factor
    if not required_ok:
        score *= 0.3
    named = sum(1 for c in choices.values() if not c.why.startswith("content:"))
    evidence = found.evidence if found.bonus else None
    if hinted or (vendor.vendor != "generic" and table == "deals"):
        evidence = evidence or "its name or its CRM"
    return _Candidate(table, score, choices, required_ok, named, evidence)


def guess(
    headers: list[str],
    file_name: str,
    vendor: Recognition,
    table: str | None = None,
    profiles: dict[str, ColumnProfile] | None = None,
    shared: dict[str, set[str]] | None = None,
) -> Mapping:
    """The most likely table (unless given) and its mapping, each with a confidence.

    profiles: header -> what its column holds (content.profile_columns); without them only
    the words of the headers count. shared: values of columns of other files dropped together,
    {header in the other file: its values}; a column here holding the same values reads as
    that header (people's names of a teams file's `sales_agent` -> owner). table=SKIP: the
    person chose not to load the file. The result's table is None when no table fits."""
    if table == SKIP:
        return Mapping(None, 1.0, {}, reason=f"You chose not to load {file_name}.")
    if table is not None and table not in F.TABLES:
        raise ImportProblem(f"There is no table {table!r}; choose one of {', '.join(F.TABLES)}.")
    history = (
        header_matches("deal_stage_history", headers, profiles)
        if "deal_stage_history" in F.TABLES
        else {}
    )
    history_picked = {k: c.source.columns[0] for k, c in history.items() if c.source}
    candidates = [
        _table_candidate(name, headers, file_name, vendor, profiles, shared, history_picked)
        for name in F.TABLES
    ]
    candidates.sort(key=lambda c: c.score, reverse=True)
    if table is not None:
        best = next(c for c in candidates if c.table == table)
        confidence = 1.0
    else:
        fitting = [c for c in candidates if _fits(c)]
        if not fitting:
            return Mapping(None, 1.0, {}, reason=_no_table_reason(file_name, candidates))
        best = fitting[0]
        runner = next((c.score for c in candidates if c is not best), 0.0)
        confidence = round(min(1.0, best.score / (best.score + runner + 1e-9) + 0.25), 2)
    mapping = Mapping(best.table, confidence, dict(best.choices), _stage_entries(headers))
    mapping.notes.extend(_notes(mapping, headers, profiles))
    return _with_derived(mapping)


def _fits(candidate: _Candidate) -> bool:
    """A table fits when what it needs is there and the file says it enough: two fields by
    name, or its file name, its CRM or its shape pointing at the table. A survey whose date is
    missing still fits by shape (the page then asks for the date)."""
    if candidate.required_ok:
        return candidate.named >= 2 or candidate.evidence is not None
    return candidate.table in ("surveys", "deal_stage_history") and candidate.evidence not in (
        None,
        "its name or its CRM",
    )


def _no_table_reason(file_name: str, candidates: list[_Candidate]) -> str:
    return (
        f"{file_name} fits none of the tables ({', '.join(F.TABLES)}): no column gives what "
        "one of them needs, so it is not loaded; pass --table NAME (or pick a table on the "
        "page) to load it anyway."
    )


def _notes(mapping: Mapping, headers: list[str], profiles) -> list[str]:
    notes = []
    created = mapping.fields.get("created_at")
    if created and created.why.startswith("start date"):
        notes.append(
            f"No creation date in the file: {created.source.describe()!r} (when work began) "
            "stands in for it."
        )
    if mapping.table == "surveys" and profiles:
        used = mapping.used_columns()
        others = [h for h in S.survey_columns(headers, profiles) if h not in used]
        if others:
            listed = ", ".join(repr(h) for h in others)
            notes.append(
                f"Only one question is loaded as the score; other question columns stay "
                f"unmapped: {listed} (load the file again with score mapped to one of them)."
            )
    return notes


def _stage_entries(headers: list[str]) -> list[StageEntry]:
    out = []
    for header in headers:
        match = HUBSPOT_ENTERED.match(header)
        if match:
            out.append(
                StageEntry(
                    header, match["stage"].strip(), (match["pipeline"] or "").strip() or None
                )
            )
    return out


def _with_derived(mapping: Mapping) -> Mapping:
    """Orders with quantity and unit price but no amount: amount = quantity × unit price."""
    if mapping.table == "orders" and not mapping.source("amount"):
        qty, price = mapping.source("quantity"), mapping.source("unit_price")
        if qty and price:
            mapping.fields["amount"] = Choice(
                Source(qty.columns + price.columns),
                0.9,
                f"derived: {qty.describe()} × {price.describe()}",
            )
    return mapping


def apply_overrides(mapping: Mapping, overrides: dict[str, str], headers: list[str]) -> Mapping:
    """`field=Column`, `amount=Quantity*UnitPrice`, `field=` (unmap),
    `entered:Stage name=Column` (a date column meaning the deal entered that stage)."""
    if mapping.table is None:
        raise ImportProblem(
            f"{mapping.reason or 'No table fits this file.'} Choose a table before mapping columns."
        )
    specs = F.fields_of(mapping.table)
    fields_now = dict(mapping.fields)
    entries = list(mapping.stage_entries)
    for target, text in overrides.items():
        target = target.strip()
        if target.lower().startswith("entered:"):
            source = Source.parse(text, headers)
            if source is None or len(source.columns) != 1:
                raise ImportProblem(f"--map {target}= needs one date column.")
            entries = [e for e in entries if e.column != source.columns[0]]
            entries.append(StageEntry(source.columns[0], target.split(":", 1)[1].strip()))
            continue
        if target not in specs:
            raise ImportProblem(
                f"{mapping.table} has no field {target!r}; its fields are "
                f"{', '.join(specs)} (or entered:<stage>).",
                column=target,
            )
        source = Source.parse(text, headers)
        if source is None:
            fields_now.pop(target, None)
        else:
            fields_now[target] = Choice(source, 1.0, "set by you")
    return replace(mapping, fields=fields_now, stage_entries=entries)
