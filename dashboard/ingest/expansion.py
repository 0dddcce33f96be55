"""What a file would expand to, read from its metadata before any data is: a workbook's zip
directory, shared-strings part and sheet dimensions, a Parquet file's footer. A file over a cap
in ingest/limits.py is refused with one sentence (file, what, which limit, what to do).

Nothing here reads the data itself: the zip directory and a Parquet footer are a few KB, the
shared strings are streamed through expat (bounded memory, stops at the first cap crossed), and
a sheet's dimension sits in its first bytes.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.parsers import expat

import pandas as pd

from dashboard.ingest import limits
from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.limits import MB, Limit

SPLIT = "split it into smaller files"
AS_CSV = "save it as CSV and import that"
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?\"")


def _refuse(name: str, found: str, limit: Limit, advice: str) -> ImportProblem:
    return ImportProblem(
        f"{name} {found}, over the limit of {limit.value:,} {limit.what} "
        f"({limit.env}); {advice}, or raise the limit if the file is genuine.",
        file=name,
    )


def check_workbook(path: Path, name: str) -> None:
    """Refuse an .xlsx/.xlsm whose parts expand beyond the caps. A damaged archive passes
    through: opening it as a workbook reports that in its own words."""
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with book:
        infos = book.infolist()
        _check_parts(infos, name)
        for info in infos:
            part = info.filename.lower()
            if part.endswith("sharedstrings.xml"):
                _check_shared_strings(book, info, name)
            elif part.startswith("xl/worksheets/") and part.endswith(".xml"):
                _check_dimension(book, info, name)


def _check_parts(infos: list[zipfile.ZipInfo], name: str) -> None:
    if len(infos) > limits.ZIP_MEMBERS.value:
        raise _refuse(name, f"holds {len(infos):,} parts", limits.ZIP_MEMBERS, AS_CSV)
    total = sum(i.file_size for i in infos)
    if total > limits.EXPANDED_MB.value * MB:
        raise _refuse(name, f"expands to {total / MB:,.0f} MB", limits.EXPANDED_MB, SPLIT)
    for info in infos:
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > limits.RATIO_FLOOR_MB * MB and ratio > limits.ZIP_RATIO.value:
            raise _refuse(
                name,
                f"has a part ({info.filename}) that expands to {info.file_size / MB:,.0f} MB, "
                f"{ratio:,.0f} times its compressed size",
                limits.ZIP_RATIO,
                AS_CSV,
            )


class _Over(Exception):
    """A cap was crossed while streaming: stop reading at once."""


def _check_shared_strings(book: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    if info.file_size > limits.SHARED_STRINGS_MB.value * MB:
        found = f"holds {info.file_size / MB:,.0f} MB of shared text"
        raise _refuse(name, found, limits.SHARED_STRINGS_MB, AS_CSV)
    most, longest = limits.SHARED_STRINGS.value, limits.CELL_CHARS.value
    state = {"count": 0, "chars": 0}

    def start(tag: str, _attrs) -> None:
        if tag.rsplit(":", 1)[-1] == "si":
            state["count"] += 1
            state["chars"] = 0
            if state["count"] > most:
                raise _Over(
                    _refuse(name, f"holds over {most:,} texts", limits.SHARED_STRINGS, SPLIT)
                )

    def text(data: str) -> None:
        state["chars"] += len(data)
        if state["chars"] > longest:
            found = f"holds a text (number {state['count']:,}) of over {longest:,} characters"
            raise _Over(_refuse(name, found, limits.CELL_CHARS, AS_CSV))

    parser = expat.ParserCreate()
    parser.StartElementHandler, parser.CharacterDataHandler = start, text
    try:
        with book.open(info) as part:
            while chunk := part.read(1 << 20):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Over as over:
        raise over.args[0] from None
    except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError, RuntimeError):
        return  # a damaged part: opening the workbook reports it


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters.decode():
        number = number * 26 + ord(ch) - 64
    return number


def _check_dimension(book: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    """The sheet's declared size (<dimension ref="A1:K5000">, written before the data)."""
    try:
        with book.open(info) as part:
            head = part.read(4096)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError):
        return
    found = _DIMENSION.search(head)
    if not found or not found.group(3):
        return
    rows = int(found.group(4)) - int(found.group(2)) + 1
    columns = _column_number(found.group(3)) - _column_number(found.group(1)) + 1
    sheet = Path(info.filename).stem
    check_shape(f"{name} ({sheet})", rows, columns)


def check_shape(name: str, rows: int, columns: int) -> None:
    """Rows, columns and cells of a table-shaped file against the caps."""
    if columns > limits.COLUMNS.value:
        raise _refuse(name, f"has {columns:,} columns", limits.COLUMNS, "keep the columns you need")
    if rows > limits.ROWS.value:
        raise _refuse(name, f"has {rows:,} rows", limits.ROWS, SPLIT)
    if rows * columns > limits.CELLS.value:
        found = f"has {rows:,} rows x {columns:,} columns"
        raise _refuse(name, found, limits.CELLS, SPLIT)


def check_parquet(path: Path, name: str) -> None:
    """Rows, columns and row-group sizes from the footer; the data is not read. A file whose
    footer cannot be read passes through: reading it reports that."""
    import pyarrow.parquet as pq  # already a dependency; reads the footer only

    try:
        meta = pq.read_metadata(path)
    except Exception:  # pyarrow raises several types for a damaged footer
        return
    check_shape(name, meta.num_rows, meta.num_columns)
    total = 0
    for i in range(meta.num_row_groups):
        size = meta.row_group(i).total_byte_size
        total += size
        if size > limits.ROW_GROUP_MB.value * MB:
            found = f"has a row group that expands to {size / MB:,.0f} MB"
            raise _refuse(
                name, found, limits.ROW_GROUP_MB, "write it again with smaller row groups"
            )
    if total > limits.EXPANDED_MB.value * MB:
        raise _refuse(name, f"expands to {total / MB:,.0f} MB", limits.EXPANDED_MB, SPLIT)


def clip_preview(frame: pd.DataFrame) -> pd.DataFrame:
    """What a page may send of a table: long texts cut (with "…"), then rows from the end
    dropped until the table fits the byte budget. A 200 MB cell never reaches the browser."""
    chars, budget = limits.PREVIEW_CELL_CHARS.value, limits.PREVIEW_KB.value * 1024

    def cut(value: object) -> object:
        if isinstance(value, str) and len(value) > chars:
            return value[:chars] + "…"
        return value

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(cut)
    sizes = out.apply(lambda row: sum(len(str(v).encode()) for v in row), axis=1)
    keep = int((sizes.cumsum() <= budget).sum()) if len(out) else 0
    return out.iloc[:keep]
