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

from dashboard.ingest import fields as F
from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.vendors import HUBSPOT_ENTERED, Recognition

NOT_THIS_FIELD = {"expected", "next", "last", "exited", "forecast", "weighted", "cumulative"}
DERIVED = re.compile(r"^\s*(?P<a>.+?)\s*[*×x]\s*(?P<b>.+?)\s*$")


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


@dataclass
class Mapping:
    table: str
    table_confidence: float
    fields: dict[str, Choice]
    stage_entries: list[StageEntry] = field(default_factory=list)
    decimal: str | None = None  # None = detect per column
    profile: str | None = None

    def source(self, name: str) -> Source | None:
        choice = self.fields.get(name)
        return choice.source if choice else None

    def used_columns(self) -> set[str]:
        used = {c for ch in self.fields.values() if ch.source for c in ch.source.columns}
        return used | {e.column for e in self.stage_entries}

    def missing_required(self) -> list[str]:
        """Required alternatives not satisfied, in words ('amount or unit_price')."""
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


def _match_score(header: str, synonyms: tuple[str, ...], field_name: str) -> tuple[float, int]:
    """(score, rank): 1.0 for an exact name, 0.7 when the header contains a synonym's words."""
    norm = F.normalise(header)
    names = (F.normalise(field_name).replace(" ", " "), *synonyms)
    for rank, synonym in enumerate(names):
        if norm == synonym or norm.replace(" ", "") == synonym.replace(" ", ""):
            return 1.0, rank
    tokens = set(norm.split())
    if tokens & NOT_THIS_FIELD:
        return 0.0, 99  # "Expected close date", "Last activity date": similar words, not it
    for rank, synonym in enumerate(names):
        words = set(synonym.split())
        if len(words) >= 2 and words <= tokens:
            return 0.7, rank
    return 0.0, 99


def guess_fields(table: str, headers: list[str]) -> dict[str, Choice]:
    """Each field's best header by name; a header feeds one field at most."""
    candidates = []
    for spec in F.TABLES[table]:
        for position, header in enumerate(headers):
            if HUBSPOT_ENTERED.match(header):
                continue
            score, rank = _match_score(header, spec.synonyms, spec.name)
            if score:
                candidates.append((-score, rank, position, spec.name, header))
    chosen: dict[str, Choice] = {}
    taken: set[str] = set()
    for neg_score, _rank, _pos, name, header in sorted(candidates):
        if name in chosen or header in taken:
            continue
        how = "same name" if -neg_score == 1.0 else "similar name"
        chosen[name] = Choice(Source((header,)), -neg_score, f"{how}: {header!r}")
        taken.add(header)
    return chosen


def _table_score(
    table: str, choices: dict[str, Choice], file_name: str, headers: list[str]
) -> float:
    specs = F.fields_of(table)
    matched = sum(c.confidence for c in choices.values())
    required_ok = all(any(a in choices for a in alts) for alts in F.REQUIRED[table])
    score = matched / (len(specs) ** 0.5)
    score += 0.3 * len(choices) / max(len(headers), 1)
    stem = Path(file_name).stem.lower()
    if any(hint in stem for hint in F.FILE_NAME_HINTS[table]):
        score += 1.5 if table == "deal_stage_history" else 0.6  # "history" says the most
    return score if required_ok else score * 0.3


def guess(
    headers: list[str], file_name: str, vendor: Recognition, table: str | None = None
) -> Mapping:
    """The most likely table (unless given) and its mapping, each with a confidence."""
    scored = []
    for name in F.TABLES:
        choices = guess_fields(name, headers)
        score = _table_score(name, choices, file_name, headers)
        if vendor.vendor != "generic" and name == "deals":
            score += 0.8  # the CRMs we recognise are recognised from their deal exports
        if any(HUBSPOT_ENTERED.match(h) for h in headers) and name == "deals":
            score += 1.0
        scored.append((score, name, choices))
    scored.sort(key=lambda t: t[0], reverse=True)
    if table is not None:
        if table not in F.TABLES:
            raise ImportProblem(
                f"There is no table {table!r}; choose one of {', '.join(F.TABLES)}."
            )
        best = next(t for t in scored if t[1] == table)
        confidence = 1.0
    else:
        best = scored[0]
        runner = scored[1][0] if len(scored) > 1 else 0.0
        confidence = round(min(1.0, best[0] / (best[0] + runner + 1e-9) + 0.25), 2)
    _, name, choices = best
    mapping = Mapping(name, confidence, dict(choices), _stage_entries(headers))
    return _with_derived(mapping)


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
