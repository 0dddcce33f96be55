"""The one kind of error an import shows a person: a sentence naming file, line and column."""

from __future__ import annotations

import re

# DuckDB starts its messages with its error class ("Invalid Input Error: "); a person gets the
# sentence without it, and a plain explanation where DuckDB's words mean nothing to them.
_ERROR_CLASS = re.compile(r"^(?:[A-Z][A-Za-z]* )+Error: ")
_PLAIN_WORDS = {
    "state machine": "its line endings or quotes are not consistent (a lone carriage return "
    "or a stray quote in a line)",
    # Scale 500 (10M deals, 100M activities) needs 3GB: at the default 1GB it ran out while
    # building the summaries (4 Dec 2026; the big ones are now built in pieces, store/summaries).
    "Out of Memory Error": "the database ran out of the memory it may use (its limit is "
    "CRM_DASHBOARD_MEMORY_LIMIT, 1GB unless set): set it higher, or import the export in "
    "smaller files, and import again",
}


class ImportProblem(Exception):
    """A problem with an input file that the user can fix; str() is the sentence to show."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: str | None = None,
    ):
        super().__init__(message)
        self.file, self.line, self.column = file, line, column


def plain_reason(exc: BaseException) -> str:
    """The first line of a database error, for a person: no error class, no SQL, no stack."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for words, reason in _PLAIN_WORDS.items():
        if words in text:
            return reason
    return _ERROR_CLASS.sub("", text).rstrip(".")
