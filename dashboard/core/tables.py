"""Tables for people: human headers, "—" for missing, numbers written by `formatting`.

A page's table goes through `for_people` before it is shown, so that no table shows a
snake_case header, "None", or a raw float (42674.94). A complete column keeps its numbers (a
pandas Styler only changes what is displayed), so sorting it still sorts by value; a column
with gaps is shown as text, since the grid would draw its gaps as "None".
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from pandas.io.formats.style import Styler

from dashboard.core import formatting

# Headers a reader would write; any other snake_case name is spelled out by `header`.
HEADERS = {
    "event_at": "When",
    "kind": "What",
    "detail": "Detail",
    "vendor": "CRM",
    "account": "Account",
    "account_id": "Account ID",
    "deal_id": "Deal ID",
    "count_deals": "Deals",
    "amount": "Amount (USD)",
    "amount_usd": "Amount (USD)",
    "created_at": "Created",
    "closed_at": "Closed",
    "responded_at": "Answered",
    "survey_type": "Survey",
}
# Words in a column name that say its kind, when the caller does not.
_MONEY_WORDS = ("amount", "revenue", "usd")
_RATIO_WORDS = ("rate", "share", "coverage", "confidence")
LONG_TEXT = 60  # characters: a column this wide wraps instead of being cut


def header(name: object) -> str:
    """'event_at' -> 'When', 'count_deals' -> 'Deals', 'loss_reason' -> 'Loss reason';
    headers already written for people ("Win rate", "floor (0 points)") keep their words
    with a capital first letter."""
    text = str(name)
    if text in HEADERS:
        return HEADERS[text]
    words = text.replace("_", " ").strip()
    if words.endswith(" usd"):
        words = words[: -len(" usd")] + " (USD)"
    if words.endswith(" id"):
        words = words[: -len(" id")] + " ID"
    return words[:1].upper() + words[1:]


def kind_of(name: str, column: pd.Series) -> str:
    """How a column's values are written: a key of formatting.FORMATTERS, or "datetime",
    "date", "number" or "text"."""
    lowered = name.lower()
    if pd.api.types.is_datetime64_any_dtype(column):
        times = column.dropna()
        has_time = bool(len(times)) and bool((times != times.dt.normalize()).any())
        return "datetime" if has_time else "date"
    if column.dtype == object and _all_dates(column):
        return "date"  # Python dates (a frame's `.dt.date`): not ISO text
    if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return "text"
    if any(w in lowered for w in _MONEY_WORDS):
        return "money"
    if any(w in lowered for w in _RATIO_WORDS):
        return "ratio"
    if pd.api.types.is_integer_dtype(column):
        return "count"
    whole = column.dropna()
    return "count" if len(whole) and bool((whole == whole.round()).all()) else "number"


def _all_dates(column: pd.Series) -> bool:
    values = column.dropna()
    return bool(len(values)) and all(
        isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in values
    )


def _number(value: float) -> str:
    return f"{float(value):,.2f}"


def _writer(kind: str):
    if kind == "datetime":
        return lambda v: f"{v:%-d %b %Y %H:%M}"
    if kind == "date":
        return lambda v: f"{v:%-d %b %Y}"
    if kind == "number":
        return _number
    if kind == "text":
        return str
    return formatting.FORMATTERS[kind]


def for_people(frame: pd.DataFrame, kinds: dict[str, str] | None = None) -> Styler:
    """The frame with human headers, missing cells as "—" and each column written by its
    kind (`kinds` names it per original column; the rest are guessed from name and type)."""
    kinds = kinds or {}
    shown = frame.rename(columns={c: header(c) for c in frame.columns})
    writers = {}
    for c in frame.columns:
        write = _writer(kinds.get(c) or kind_of(str(c), frame[c]))
        if frame[c].isna().any():
            # Streamlit's grid draws a missing cell as "None" whatever the Styler says: such
            # a column is shown as its text ("—" in the gaps), sorted as text.
            shown[header(c)] = [formatting.MISSING if pd.isna(v) else write(v) for v in frame[c]]
            write = str
        writers[header(c)] = write
    return shown.style.format(writers, na_rep=formatting.MISSING)


def long_text_columns(frame: pd.DataFrame) -> list[str]:
    """Headers (as `for_people` writes them) of text columns with a cell longer than
    LONG_TEXT characters: in a grid they would be cut, so the page wraps them."""
    out = []
    for c in frame.columns:
        if kind_of(str(c), frame[c]) == "text":
            lengths = frame[c].dropna().astype(str).str.len()
            if len(lengths) and lengths.max() > LONG_TEXT:
                out.append(header(c))
    return out
