"""What a column holds, read from a sample of its cells, and which fields it can feed.

A profile says whether a column reads as dates, money-like numbers, a 0-10 or 1-5 score, a
0/1 or yes/no flag, ids, short categories or free text, and how often its values repeat. The
mapping uses it for every field, not only the required ones: a free-text field (comment,
deal name) is never fed by a 0/1 flag, an amount never by a date, a date never by a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashboard.ingest import fields as F

FLAG_WORDS = frozenset(
    {"0", "1", "true", "false", "yes", "no", "y", "n", "t", "f", "x", "да", "нет", "oui", "non"}
)
FREE_TEXT_FIELDS = frozenset({"comment", "deal_name", "loss_reason"})
MAX_VALUES = 1000  # distinct values kept per column (for values shared with another file)
# "$1,234", "1.234.567,89 €", "USD 1000", "(12.50)", "12 %": money-like numbers.
_NUMBER = re.compile(
    r"^\(?[-+]?(?:[A-Za-z]{3}\s+)?[$€£¥₹]?\s?\d[\d\s.,\u00a0\u202f]*\)?\s?[%$€£¥₹]?"
    r"(?:\s+[A-Za-z]{3})?$"
)


@dataclass(frozen=True)
class ColumnProfile:
    header: str
    filled: int  # non-empty sampled cells
    distinct: int
    numeric: float  # share of filled cells that read as numbers
    integer: float  # share that read as whole numbers
    low: float | None
    high: float | None
    date: float  # share that read as dates (0 when not tried)
    flag: bool  # at most two values, all yes/no words
    spaced: float  # share of cells with a space between letters (sentences, names)
    mean_length: float
    values: frozenset[str]  # distinct values, case-folded (capped)

    @property
    def repeats(self) -> float:
        """Share of rows that repeat a value seen before: 0 for keys, near 1 for categories."""
        return 1 - self.distinct / self.filled if self.filled else 0.0

    @property
    def is_score(self) -> bool:
        """Whole numbers on a 0-10 or 1-5/1-7 scale, as survey answers are."""
        return (
            self.filled > 0
            and self.integer >= 0.95
            and self.low is not None
            and self.low >= 0
            and (self.high or 0) <= 10
        )

    @property
    def is_free_text(self) -> bool:
        """Sentences: words with spaces between them, long or mostly distinct (a timestamp
        or a long code is not free text)."""
        if self.flag or self.numeric >= 0.5 or self.date >= 0.5 or self.spaced < 0.3:
            return False
        return self.mean_length >= 20 or self.distinct >= 0.5 * self.filled


def profile(header: str, cells: list[str], date_share: float = 0.0) -> ColumnProfile:
    """The profile of one column from its non-empty sampled cells (already trimmed)."""
    numbers = [_number(c) for c in cells]
    read = [n for n in numbers if n is not None]
    folded = {c.casefold() for c in cells}
    n = len(cells)
    return ColumnProfile(
        header=header,
        filled=n,
        distinct=len(folded),
        numeric=len(read) / n if n else 0.0,
        integer=sum(1 for x in read if x == int(x)) / n if n else 0.0,
        low=min(read) if read else None,
        high=max(read) if read else None,
        date=date_share,
        flag=0 < len(folded) <= 2 and folded <= FLAG_WORDS,
        spaced=sum(1 for c in cells if re.search(r"\w\s+\w", c)) / n if n else 0.0,
        mean_length=sum(len(c) for c in cells) / n if n else 0.0,
        values=frozenset(sorted(folded)[:MAX_VALUES]),
    )


def _number(cell: str) -> float | None:
    if not _NUMBER.match(cell):
        return None
    digits = re.sub(r"[^\d.,\-]", "", cell)
    if "," in digits and "." in digits:
        mark = "." if digits.rfind(".") > digits.rfind(",") else ","
        digits = digits.replace("," if mark == "." else ".", "").replace(",", ".")
    elif digits.count(",") == 1 and len(digits.split(",")[1]) != 3:
        digits = digits.replace(",", ".")  # decimal comma
    else:
        digits = digits.replace(",", "")
    try:
        return float(digits)
    except ValueError:
        return None


def looks_like_date_cells(cells: list[str]) -> bool:
    """Worth asking the date reader: most cells carry digits in a date-like shape."""
    if not cells:
        return False
    shaped = sum(
        1
        for c in cells[:200]
        if re.search(r"\d", c) and (re.search(r"\d[-/.]\d|\d{8}|[A-Za-z]{3}", c) and len(c) <= 40)
    )
    return shaped >= 0.5 * min(len(cells), 200)


def fit(column: ColumnProfile | None, spec: F.Field) -> float:
    """How well a column's content suits a field, 0-1 (1 when nothing is known)."""
    if column is None or column.filled == 0:
        return 1.0
    kind = spec.kind
    dated = column.date >= 0.8
    if kind == F.DATE:
        if dated:
            return 1.0
        return 0.1 if column.flag or column.numeric >= 0.9 or column.is_free_text else 0.6
    if kind in (F.AMOUNT, F.NUMBER, F.INTEGER):
        if dated or column.flag:
            return 0.1
        if column.numeric >= 0.8:
            if spec.name == "score" and not column.is_score:
                return 0.3  # a 1-100 column is rarely a survey answer
            return 1.0
        return 0.1 if column.numeric < 0.3 else 0.6
    if kind == F.BOOL:
        return 1.0 if column.flag else 0.3
    if spec.name in FREE_TEXT_FIELDS:
        if column.flag:
            return 0.05  # a 0/1 "feedback" flag is not the feedback text
        return 0.2 if column.numeric >= 0.9 or dated else 1.0
    if kind in (F.TEXT, F.STATUS, F.SURVEY_TYPE):
        if dated:
            return 0.1
        return 0.2 if column.flag else 1.0
    if kind == F.ID:
        if dated:
            return 0.1
        return 0.2 if column.flag or column.mean_length > 40 else 1.0
    return 1.0
