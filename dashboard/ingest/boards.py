"""A monday.com board exported to Excel, folded into one plain table.

monday.com writes a board as: the board's name alone on the first row, then for each group its
name alone on a row followed by the column headers again (`Name`, `Subitems`, `Stage`, ...),
the group's items, and, under an item with subitems, a `Subitems, Name, ...` header with the
subitem rows (first cell empty); empty rows separate the groups. (Shape as read by the
importers of other tools that take these files; see tests/ingest/test_monday_board.py.)

Folded: one header row, one row per item, the group's name in a `Group` column; the title,
group rows, repeated headers, subitems and empty rows are skipped, and their sheet lines are
kept so rejected rows are still reported at the line Excel shows.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

GROUP_COLUMN = "Group"
HEAD_ROWS = 12  # the first header row is found within the first rows


@dataclass
class Folded:
    headers: list[str]
    frame: pd.DataFrame  # one text column per header, one row per item
    skipped_lines: list[int]  # sheet lines (1-based, after line 1) that are not items
    title: str
    groups: list[str] = field(default_factory=list)
    subitems: int = 0

    def note(self) -> str:
        groups = ", ".join(f"'{g}'" for g in self.groups) or "none"
        rows = "row" if self.subitems == 1 else "rows"
        subitems = f"; {self.subitems} subitem {rows} skipped" if self.subitems else ""
        return (
            f"read as a monday.com board export: title row '{self.title}' skipped, groups"
            f" {groups} folded into the {GROUP_COLUMN} column, repeated header rows"
            f" skipped{subitems}"
        )


def text(value: object) -> str | None:
    """A cell as the text a CSV export would hold (dates ISO, whole numbers without '.0')."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != time() else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    out = str(value).strip()
    return out or None


def sheet_rows(path: Path, sheet: str, limit: int | None = None) -> list[list[str | None]]:
    """The rows of a sheet (the first `limit`, or all) as text cells, empty rows included
    (their lines count)."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = book[sheet].iter_rows(values_only=True)
        return [[text(v) for v in row] for row in itertools.islice(rows, limit)]
    finally:
        book.close()


def read_board(path: Path, sheet: str) -> Folded | None:
    """The sheet folded, when it is a monday.com board export; None for any other sheet."""
    if not looks_like_board(sheet_rows(path, sheet, HEAD_ROWS)):
        return None
    return fold(sheet_rows(path, sheet))


def _filled(row: list[str | None]) -> int:
    return sum(v is not None for v in row)


def _is_header(row: list[str | None]) -> bool:
    return bool(row) and (row[0] or "").casefold() == "name" and _filled(row) >= 2


def _is_subitem_header(row: list[str | None]) -> bool:
    return (
        len(row) > 1
        and (row[0] or "").casefold() == "subitems"
        and (row[1] or "").casefold() == "name"
    )


def _alone(row: list[str | None]) -> bool:
    """Only the first cell filled: a board title or a group name."""
    return bool(row) and row[0] is not None and _filled(row) == 1


def looks_like_board(rows: list[list[str | None]]) -> bool:
    """The board's name alone on the first filled row, and a `Name, ...` header row soon
    after it with nothing but group names and empty rows between."""
    filled = [(i, r) for i, r in enumerate(rows[:HEAD_ROWS]) if _filled(r)]
    if len(filled) < 2 or not _alone(filled[0][1]):
        return False
    for _, row in filled[1:]:
        if _is_header(row):
            return True
        if not _alone(row):
            return False
    return False


def fold(rows: list[list[str | None]]) -> Folded:
    """The board as one table (call only when looks_like_board)."""
    first = next(i for i, r in enumerate(rows) if _filled(r))
    start = next(i for i, r in enumerate(rows) if _is_header(r))
    header = rows[start]
    width = max(i for i, v in enumerate(header) if v is not None) + 1
    headers = [v or "" for v in header[:width]]
    key = [h.casefold() for h in headers]
    out = Folded(headers + [GROUP_COLUMN], pd.DataFrame(), [], rows[first][0] or "")
    items, lines, group, in_subitems = [], set(), None, False
    for index, row in enumerate(rows[first + 1 :], first + 1):
        cells = (list(row) + [None] * width)[:width]
        if _is_header(row) and [(c or "").casefold() for c in cells] == key:
            in_subitems = False  # the header again, under a group's name
        elif _is_subitem_header(row):
            in_subitems = True
        elif _alone(row) and _next_is_header(rows, index):
            group, in_subitems = row[0], False
            out.groups.append(group)
        elif in_subitems and cells[0] is None:
            out.subitems += _filled(row) > 0
        elif cells[0] is not None:  # an item: its Name is filled
            in_subitems = False
            items.append([*cells, group])
            lines.add(index + 1)
    out.frame = pd.DataFrame(items, columns=[f"c{i}" for i in range(width + 1)], dtype=object)
    # Line 1 stands for the header (see RawTable.line_expression); every other line that is
    # not an item is skipped, so an item's line is the one Excel shows.
    out.skipped_lines = [line for line in range(2, len(rows) + 1) if line not in lines]
    return out


def _next_is_header(rows: list[list[str | None]], index: int) -> bool:
    for row in rows[index + 1 :]:
        if _filled(row):
            return _is_header(row)
    return False
