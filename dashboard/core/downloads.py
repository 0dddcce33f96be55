"""CSV downloads that are safe to open in a spreadsheet (no formula injection)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

# A cell starting with one of these is run as a formula by Excel, Sheets or LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Text that is just a signed number ("-5", "+3.5", "-1e3") is read as that number and cannot
# run anything: it stays as it is, so a negative figure held as text is still a number.
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def _starts_like_formula(cells: pd.Series) -> pd.Series:
    """True for the text cells that start like a formula; False for any other cell."""
    try:
        return cells.str.startswith(FORMULA_STARTS).fillna(False).astype(bool)
    except AttributeError:  # an object column holding no text at all (dates, for one)
        return cells.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS))


def safe_csv(frame: pd.DataFrame | Callable[[], pd.DataFrame]) -> bytes:
    """UTF-8 CSV (with BOM, so Excel reads accents) where no text cell can run as a formula.

    Numbers stay numbers: number columns are not touched, and text that is only a signed
    number ("-5") is left as it is; "-5+cmd" or "-A1" gets the apostrophe. A function in place
    of the frame is called first (a list fetched only when its download is asked for).
    """
    out = (frame() if callable(frame) else frame).copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for column in out.columns:
        cells = out[column]
        if pd.api.types.is_numeric_dtype(cells) or pd.api.types.is_datetime64_any_dtype(cells):
            continue  # numbers and dates are written as digits: nothing can run
        if pd.api.types.is_object_dtype(cells) or pd.api.types.is_string_dtype(cells):
            # Only cells that start like a formula need a look (fast on 100k rows); cells
            # that are not text (missing, numbers in an object column) are never touched.
            risky = _starts_like_formula(cells)
            if risky.any():
                out[column] = cells.astype(object)
                out.loc[risky, column] = cells[risky].map(neutralise)
        else:
            out[column] = cells.map(neutralise)
    # CRLF line ends (RFC 4180) make the writer quote any cell holding a CR or LF.
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
