"""Tables recognised by shape as well as by words (product.md, "How an export is read").

- Many rows per deal id, with a stage and a date, is stage history, never more deals: a deals
  table holds one row per deal, whatever the file is called.
- Whole-number answers on a 0-10 or 1-5 scale under question wording ("How likely are you to
  recommend", "satisfied", "rate") are survey answers.

Each rule looks at the columns a table's mapping picked (field -> header) and at the column
profiles; it returns a bonus or a factor for that table and the words that explain it.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.ingest import headers as H
from dashboard.ingest.columns import ColumnProfile

REPEATED_KEYS = 0.25  # share of rows repeating an id before it reads as "many rows per id"
SURVEY_WORDS = frozenset(
    {
        "recommend",
        "likely",
        "satisfied",
        "satisfaction",
        "rate",
        "rating",
        "score",
        "nps",
        "csat",
        "ces",
        "stars",
        "star",
        "effort",
    }
)


@dataclass(frozen=True)
class Shape:
    bonus: float = 0.0
    factor: float = 1.0
    evidence: str | None = None  # e.g. "many rows per deal id"


def _repeated(profiles: dict[str, ColumnProfile], header: str | None) -> bool:
    column = profiles.get(header) if header else None
    return bool(column and column.filled >= 2 and column.repeats >= REPEATED_KEYS)


def _unique(profiles: dict[str, ColumnProfile], header: str | None) -> bool:
    column = profiles.get(header) if header else None
    return bool(column and column.filled >= 2 and column.repeats == 0)


def history_shape(picked: dict[str, str], profiles: dict[str, ColumnProfile]) -> bool:
    """Stage history: a deal id that repeats, a stage and a date."""
    return (
        _repeated(profiles, picked.get("deal_id")) and "stage" in picked and "entered_at" in picked
    )


def survey_columns(headers: list[str], profiles: dict[str, ColumnProfile]) -> list[str]:
    """Columns that read as survey answers: a 0-10 / 1-5 scale under survey wording."""
    out = []
    for header in headers:
        column = profiles.get(header)
        if column is None or not column.is_score or column.numeric < 0.9:
            continue
        tokens = set(H.words(header).words)
        if tokens & SURVEY_WORDS or header.rstrip().endswith("?"):
            out.append(header)
    return out


def shape(
    table: str,
    picked: dict[str, str],
    headers: list[str],
    profiles: dict[str, ColumnProfile] | None,
    history_picked: dict[str, str] | None,
) -> Shape:
    """The bonus (or factor) the file's shape gives `table`."""
    if not profiles:
        return Shape()
    is_history = history_picked is not None and history_shape(history_picked, profiles)
    if table == "deal_stage_history" and is_history:
        return Shape(bonus=3.0, evidence="many rows per deal id, each with a stage and a date")
    if table == "deal_stage_history" and _unique(profiles, picked.get("deal_id")):
        return Shape(factor=0.3, evidence=None)  # one row per deal: deals, not their history
    if table == "deals" and (is_history or _repeated(profiles, picked.get("deal_id"))):
        return Shape(factor=0.2, evidence="deal ids repeat: a deals file has one row per deal")
    if table == "surveys":
        answers = survey_columns(headers, profiles)
        if answers:
            return Shape(bonus=1.5, evidence=f"survey answers on a scale: {answers[0]!r}")
    return Shape()
