"""What a column header says, whatever its spelling: words, spelt-out abbreviations, near-misses.

`close_value`, `CloseValue`, `CLOSE_VALUE` and `Close value` all read as the words
("close", "value"); abbreviations are spelt out (amt -> amount, opp -> opportunity, # -> number);
a run-together word is split where both halves are words the tables know (BEGINDATE -> begin
date); a misspelt word becomes the known word it nearly is (Ammount -> amount). Letters of any
script are kept, so Russian headers (Сумма, Дата создания) match Russian synonyms.

Near-misses use rapidfuzz rather than difflib: its edit-distance ratios are computed in C++ and
`process.extractOne` with a score cutoff stops early, so comparing every header word of a wide
export with every word the tables know stays instant; difflib's SequenceMatcher is pure Python
and its ratio is not an edit distance (it rewards long common blocks, not typos).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from dashboard.ingest import fields as F

ABBREVIATIONS = {
    "amt": "amount",
    "qty": "quantity",
    "acct": "account",
    "acc": "account",
    "opp": "opportunity",
    "oppty": "opportunity",
    "opty": "opportunity",
    "dt": "date",
    "no": "number",
    "num": "number",
    "nbr": "number",
    "nr": "number",
    "rev": "revenue",
    "emp": "employees",
    "empl": "employees",
    "desc": "description",
    "descr": "description",
    "cust": "customer",
    "prod": "product",
    "org": "organization",
    "src": "source",
    "ccy": "currency",
    "curr": "currency",
    "prob": "probability",
    "mgr": "manager",
    "val": "value",
    "ts": "timestamp",
    "pct": "percent",
    "yr": "year",
}
# Words that make a header mean something else than the field its other words name
# ("Expected close date" is not the close date, "Forecast amount" is not the amount).
NOT_THIS_FIELD = frozenset(
    {"expected", "next", "last", "exited", "forecast", "weighted", "cumulative", "modified"}
)
# Heads too vague to decide a field alone ("Contact name" is not the deal name).
GENERIC = frozenset(
    {"id", "date", "name", "number", "time", "type", "code", "at", "on", "by", "of", "is", "the"}
)
# Words of a "start" date: the creation date's stand-in when a file has none (product.md).
START_WORDS = frozenset(
    {"engage", "engaged", "engagement", "begin", "began", "start", "started", "opened", "начала"}
)
DATE_WORDS = frozenset({"date", "time", "at", "on", "timestamp", "дата"})


def normalise(text: str) -> str:
    """Lower-case words of a header, accents dropped, camelCase and snake_case split."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("#", " number ")
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)  # closeValue, OppID
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text)  # CRMDeal -> CRM Deal
    return " ".join(re.sub(r"[\W_]+", " ", text.lower()).split())


@cache
def vocabulary() -> frozenset[str]:
    """Every word a field name or synonym uses (the tables may grow: computed once, lazily)."""
    out: set[str] = set(ABBREVIATIONS.values()) | START_WORDS | DATE_WORDS
    for specs in F.TABLES.values():
        for spec in specs:
            for name in (spec.name, *spec.synonyms):
                out.update(normalise(name).split())
    return frozenset(w for w in out if len(w) >= 2)


def _split(word: str, depth: int = 2) -> list[str] | None:
    """BEGINDATE -> [begin, date] when both halves are known words."""
    known = vocabulary()
    for cut in range(len(word) - 2, 2, -1):
        left, right = word[:cut], word[cut:]
        if left not in known:
            continue
        if right in known or right in ABBREVIATIONS:
            return [left, ABBREVIATIONS.get(right, right)]
        if depth > 1 and (rest := _split(right, depth - 1)):
            return [left, *rest]
    return None


@dataclass(frozen=True)
class Words:
    words: tuple[str, ...]
    corrected: tuple[tuple[str, str], ...] = ()  # (as written, read as)

    @property
    def text(self) -> str:
        return " ".join(self.words)


@cache
def words(header: str) -> Words:
    """The header as known words: abbreviations spelt out, run-togethers split, typos fixed."""
    known = vocabulary()
    out: list[str] = []
    fixed: list[tuple[str, str]] = []
    for word in normalise(header).split():
        word = ABBREVIATIONS.get(word, word)
        if word in known or word.isdigit() or len(word) < 5:
            out.append(word)
            continue
        if word.endswith("s") and word[:-1] in known:  # Accounts, Reviews
            out.append(word[:-1])
            continue
        parts = _split(word)
        if parts:
            out.extend(parts)
            continue
        near = process.extractOne(word, sorted(known), scorer=fuzz.ratio, score_cutoff=85)
        if near:
            fixed.append((word, near[0]))
            out.append(near[0])
        else:
            out.append(word)
    return Words(tuple(out), tuple(fixed))


@dataclass(frozen=True)
class Match:
    score: float  # 0-1
    rank: int  # which synonym (0 = the field's own name): earlier is better on ties
    how: str  # words for the mapping grid's "why"


NO_MATCH = Match(0.0, 99, "")


def _plural(a: str, b: str) -> bool:
    return a == b or a == b + "s" or a + "s" == b


def match(header: str, field_name: str, synonyms: tuple[str, ...], question: bool = False) -> Match:
    """How well a header names a field: same words 1.0, all of a synonym's words 0.8, the same
    head word 0.75, a near-miss of the whole name ~0.7; with `question` (survey answers and
    comments), a question that uses one of the words 0.65."""
    got = words(header)
    if not got.words:  # "?", "'", an emoji: no words, no field
        return NO_MATCH
    typo = 0.9 if got.corrected else 1.0
    fixed = ", ".join(f"{a!r} read as {b!r}" for a, b in got.corrected)
    note = f" ({fixed})" if fixed else ""
    tokens = set(got.words)
    best = NO_MATCH
    for rank, synonym in enumerate((field_name, *synonyms)):
        want = words(synonym).words
        if not want:
            continue
        if got.words == want or "".join(got.words) == "".join(want):
            found = Match(typo, rank, f"same name: {header!r}{note}")
        elif (tokens & NOT_THIS_FIELD) - set(want):
            continue
        elif len(want) >= 2 and set(want) <= tokens:
            found = Match(0.8 * typo, rank, f"its words say {synonym!r}{note}")
        elif len(want) == 1 and want[0] not in GENERIC and _plural(got.words[-1], want[0]):
            found = Match(0.75 * typo, rank, f"its last word says {synonym!r}{note}")
        elif question and len(want) == 1 and want[0] not in GENERIC and len(tokens) >= 5:
            if not any(_plural(w, want[0]) for w in got.words):
                continue
            found = Match(0.65 * typo, rank, f"the question mentions {synonym!r}")
        else:
            ratio = fuzz.ratio(got.text, " ".join(want))
            if ratio < 90 or len(got.text) < 6:
                continue
            found = Match(0.8 * ratio / 100, rank, f"near-miss of {synonym!r}")
        if (found.score, -found.rank) > (best.score, -best.rank):
            best = found
    return best


def is_start_date(header: str) -> bool:
    """'engage_date', 'BEGINDATE', 'Opened on', 'Дата начала': a date saying when work began."""
    tokens = set(words(header).words)
    return bool(tokens & START_WORDS) and bool(tokens & DATE_WORDS)
