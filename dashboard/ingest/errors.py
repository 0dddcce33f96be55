"""The one kind of error an import shows a person: a sentence naming file, line and column."""

from __future__ import annotations


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
