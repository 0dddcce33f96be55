"""CSV downloads that are safe to open in a spreadsheet (no formula injection)."""

from __future__ import annotations

import pandas as pd

# A cell starting with one of these is run as a formula by Excel, Sheets or LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, so Excel reads accents) where no text cell can run as a formula.

    Numbers stay numbers: only text columns are touched, so -5 stays -5.
    """
    out = frame.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    # CRLF line ends (RFC 4180) make the writer quote any cell holding a CR or LF.
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
