"""Bring a file into the warehouse's import folder and read it as text columns c0, c1, ...

Every cell arrives as VARCHAR in a temporary table; conversion and checks happen later in SQL.
Column names from the file never reach SQL: they are kept in Python and the table's columns are
named c0..cN. Problems a user can fix raise ImportProblem with one sentence.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import itertools
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
from charset_normalizer import from_bytes

from dashboard.ingest import boards, expansion
from dashboard.ingest.errors import ImportProblem, plain_reason

MAX_IMPORT_ENV = "CRM_DASHBOARD_MAX_IMPORT_MB"
DEFAULT_MAX_IMPORT_MB = 2048
MAX_LINE_BYTES = 1_048_576
SAMPLE_BYTES = 1 << 20
DELIMITERS = (",", ";", "\t", "|")
_counter = itertools.count(1)


def max_import_bytes() -> int:
    try:
        megabytes = float(os.environ.get(MAX_IMPORT_ENV, DEFAULT_MAX_IMPORT_MB))
    except ValueError:
        megabytes = DEFAULT_MAX_IMPORT_MB
    return int(megabytes * 1024 * 1024)


@dataclass
class StagedFile:
    """A file copied (or linked) into the import folder, ready for DuckDB to read."""

    name: str  # as the user knows it, for messages
    path: Path
    kind: str  # csv, xlsx, parquet
    checksum: str  # sha256 of the bytes as received
    size_bytes: int
    headers: list[str] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
    layout: str | None = None  # "monday board": a board export folded (ingest/boards.py)
    notes: list[str] = field(default_factory=list)  # how the file was read, for the report


@dataclass
class RawTable:
    """The file as text columns in a temporary table, plus the records DuckDB could not read."""

    staged: StagedFile
    table: str  # temp table with columns c0..cN, in file order
    rows: int
    parse_rejects: pd.DataFrame  # line, column, value, reason
    line_thresholds: list[int]  # see line_expression

    @property
    def columns(self) -> dict[str, str]:
        """File header -> c<i>."""
        return {h: f"c{i}" for i, h in enumerate(self.staged.headers)}

    def line_expression(self, rowid: str = "rowid") -> str:
        """SQL giving each row's line as a spreadsheet shows it (header = line 1).

        DuckDB numbers rejected records that way; accepted row i (1-based) sits at line
        i + 1 + #{rejects j (sorted) with line_j - j <= i}.
        """
        base = f"({rowid} + 2)"
        if not self.line_thresholds:
            return base
        cases = " + ".join(f"({rowid} + 1 >= {int(t)})::int" for t in self.line_thresholds[:200])
        if len(self.line_thresholds) <= 200:
            return f"({base} + {cases})"
        return (
            f"({base} + (select count(*) from {self.table}_lines t "
            f"where t.threshold <= {rowid} + 1))"
        )


def stage(source: Path | bytes, name: str, folder: Path, sheet: str | None = None) -> StagedFile:
    """Check a file and put it, as UTF-8 CSV / xlsx / parquet, into the import folder."""
    folder.mkdir(parents=True, exist_ok=True)
    size = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
    limit = max_import_bytes()
    if size > limit:
        raise ImportProblem(
            f"{name} is {_human(size)}; the import limit is {_human(limit)} "
            f"(set {MAX_IMPORT_ENV} to raise it, or split the export).",
            file=name,
        )
    head = source[:SAMPLE_BYTES] if isinstance(source, bytes) else _read_head(Path(source))
    if not head.strip():
        raise ImportProblem(
            f"{name} is empty: export it again with a header row and data rows.", file=name
        )
    kind = _kind(name, head)
    target = folder / f"upload-{os.getpid()}-{next(_counter)}{_suffix(kind)}"
    try:
        if kind == "csv":
            encoding, checksum = _write_utf8(source, target, detect_encoding(head), name)
            staged = StagedFile(name, target, kind, checksum, size, encoding=encoding)
            _read_csv_header(staged)
        else:
            staged = StagedFile(name, target, kind, _copy(source, target), size)
            if kind == "xlsx":
                expansion.check_workbook(target, name)  # before openpyxl expands anything
                _read_sheets(staged, sheet)
            else:
                expansion.check_parquet(target, name)  # from the footer, before any data
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return staged


def _human(size: int) -> str:
    return f"{size / 1024**3:.1f} GB" if size >= 1024**3 else f"{size / 1024**2:.0f} MB"


def _read_head(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(SAMPLE_BYTES)


def _suffix(kind: str) -> str:
    return {"csv": ".csv", "xlsx": ".xlsx", "parquet": ".parquet"}[kind]


_MAGIC = (
    (b"PK\x03\x04", "an Excel workbook or another zip archive"),
    (b"PAR1", "a Parquet file"),
    (b"\xd0\xcf\x11\xe0", "an old Excel 97-2003 .xls workbook"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
)


def _looks_like(head: bytes) -> str | None:
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    return None


def _kind(name: str, head: bytes) -> str:
    """csv / xlsx / parquet from the extension, checked against the content."""
    ext = Path(name).suffix.lower()
    actual = _looks_like(head)
    if ext in (".xlsx", ".xlsm"):
        if actual != _MAGIC[0][1]:
            raise ImportProblem(
                f"{name} is not an Excel workbook ({actual or 'it looks like text'}); "
                "export it again as .xlsx, or rename it to what it is.",
                file=name,
            )
        return "xlsx"
    if ext == ".xls":
        raise ImportProblem(
            f"{name} is an old Excel 97-2003 file; save it as .xlsx or CSV and import that.",
            file=name,
        )
    if ext == ".parquet":
        if actual != "a Parquet file":
            raise ImportProblem(
                f"{name} is not a Parquet file ({actual or 'it looks like text'}"
                "); rename it to what it is.",
                file=name,
            )
        return "parquet"
    if actual == "a Parquet file" and ext not in (".csv", ".tsv", ".txt"):
        return "parquet"
    if actual == _MAGIC[0][1] and ext not in (".csv", ".tsv", ".txt"):
        return "xlsx"
    if actual is not None or (
        b"\x00" in head
        and not _utf16_without_bom(head)
        and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    ):
        raise ImportProblem(
            f"{name} is not a text CSV file (it looks like {actual or 'binary data'}); "
            "export it again as CSV, Excel .xlsx or Parquet.",
            file=name,
        )
    return "csv"


def _utf16_without_bom(head: bytes) -> str | None:
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def detect_encoding(head: bytes) -> str:
    """The text encoding of a CSV: BOMs first, then UTF-8, then the best single-byte guess."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf16 = _utf16_without_bom(head)
    if utf16:
        return utf16
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3 and len(head) == SAMPLE_BYTES:
            return "utf-8"  # a character cut at the end of the sample, not a bad byte
    # Western CRM exports that are not UTF-8 are nearly always Windows-1252 (a superset of
    # Latin-1's letters); on short files statistical guessers drift to Baltic or Cyrillic
    # code pages, so cp1252 wins whenever it decodes cleanly. charset-normalizer decides the
    # rest.
    if _decodes(head, "cp1252") and not _has_c1_controls(head.decode("cp1252")):
        return "cp1252"
    best = from_bytes(head).best()
    guess = (best.encoding if best else "latin-1").replace("-", "_").lower()
    return guess if _decodes(head, guess) else "latin-1"


def _has_c1_controls(text: str) -> bool:
    return any("\x80" <= ch <= "\x9f" for ch in text)


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
        return True
    except (UnicodeDecodeError, LookupError):
        return False


def _write_utf8(source: Path | bytes, target: Path, encoding: str, name: str) -> tuple[str, str]:
    """Copy as UTF-8 without BOM; returns (the encoding really used, sha256 of the original).

    A file that looked like UTF-8 in its first megabyte but is not further on is read again
    as Windows-1252."""
    digest = hashlib.sha256()
    raw = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115
    with raw:
        hashing = _HashingReader(raw, digest)
        if encoding == "utf-8" and not isinstance(source, bytes):
            # Already UTF-8 on disk: prove it while hashing, then link instead of copying.
            if _copy_checking_utf8(hashing, None):
                _link_or_copy(Path(source), target)
                return encoding, digest.hexdigest()
        elif encoding == "utf-8":
            if _copy_checking_utf8(hashing, target):
                return encoding, digest.hexdigest()
        else:
            _transcode(hashing, target, encoding, name)
            return encoding, digest.hexdigest()
    target.unlink(missing_ok=True)
    return _write_utf8(source, target, "cp1252", name)


def _copy_checking_utf8(reader: io.RawIOBase, target: Path | None) -> bool:
    """Copy bytes as they are (or only read them, target None), decoding on the way (4 MB at
    a time) to prove they are UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(target, "wb") if target else contextlib.nullcontext() as out:
        while chunk := reader.read(1 << 22):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
            if out is not None:
                out.write(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link when the import folder is on the same file system (no second copy of a
    large export); a plain copy otherwise."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _transcode(reader: io.RawIOBase, target: Path, encoding: str, name: str) -> None:
    text = io.TextIOWrapper(reader, encoding=encoding, errors="strict", newline="")
    try:
        with open(target, "w", encoding="utf-8", newline="") as out:
            shutil.copyfileobj(text, out, 1 << 20)
    except UnicodeDecodeError:
        target.unlink(missing_ok=True)
        raise ImportProblem(
            f"{name} mixes text encodings (it is not all {encoding}); save it again as "
            "UTF-8 CSV and import that.",
            file=name,
        ) from None


class _HashingReader(io.RawIOBase):
    def __init__(self, raw, digest):
        self.raw, self.digest = raw, digest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        return data


def _copy(source: Path | bytes, target: Path) -> str:
    """Copy as is; returns the sha256 of the bytes."""
    digest = hashlib.sha256()
    if isinstance(source, bytes):
        digest.update(source)
        target.write_bytes(source)
        return digest.hexdigest()
    with open(source, "rb") as src, open(target, "wb") as out:
        while chunk := src.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _read_csv_header(staged: StagedFile) -> None:
    with open(staged.path, encoding="utf-8", newline="") as handle:
        sample = handle.read(256 * 1024)
    staged.delimiter = sniff_delimiter(sample)
    header = _first_rows(sample, staged.delimiter, 1)
    if not header and sample.strip():
        raise ImportProblem(
            f"{staged.name}: the header row (line 1) has a field longer than "
            f"{csv.field_size_limit() // 1024} KB; check that this is a CSV export and that "
            "its quotes are closed.",
            file=staged.name,
            line=1,
        )
    staged.headers = clean_headers(header[0] if header else [], staged.name)


def _first_rows(sample: str, delimiter: str, count: int) -> list[list[str]]:
    """Up to `count` rows, stopping before a row the csv module refuses (a field over its
    128 KB limit): the sniffing judges on the rows before it, DuckDB reads the file."""
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    with contextlib.suppress(csv.Error):
        rows.extend(itertools.islice(reader, count))
    return rows


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the header into most columns and the next rows alike.

    Never settles on "one column" when another delimiter splits the header: that is the
    silent failure of a sniffer meeting one bad row.
    """
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        rows = _first_rows(sample, delimiter, 50)
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        agree = sum(len(r) == width for r in rows[1:-1] or rows)  # last row may be cut
        score = (agree, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def clean_headers(header: list[str], name: str) -> list[str]:
    """Trimmed header names; blanks named by position; duplicates refused."""
    out = []
    for i, raw in enumerate(header, 1):
        text = str(raw).strip()
        out.append(text if text else f"(unnamed column {i})")
    seen: dict[str, int] = {}
    for i, text in enumerate(out, 1):
        key = text.casefold()
        if key in seen:
            raise ImportProblem(
                f"{name} has two columns named {text!r} (columns {seen[key]} and {i}); rename "
                "one of them and import again.",
                file=name,
                column=text,
            )
        seen[key] = i
    if not out:
        raise ImportProblem(f"{name} has no header row.", file=name)
    return out


def _read_sheets(staged: StagedFile, sheet: str | None) -> None:
    try:
        book = pd.ExcelFile(staged.path, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise ImportProblem(
            f"{staged.name} cannot be opened as an Excel workbook "
            f"({type(exc).__name__}); save it again from Excel.",
            file=staged.name,
        ) from exc
    staged.sheets = list(book.sheet_names)
    if sheet is not None and sheet not in staged.sheets:
        raise ImportProblem(
            f"{staged.name} has no sheet {sheet!r}; its sheets are {', '.join(staged.sheets)}.",
            file=staged.name,
        )
    staged.sheet = sheet or staged.sheets[0]
    with _reading_sheet(staged):
        board = boards.read_board(staged.path, staged.sheet)
    if board is not None:
        staged.layout = "monday board"
        staged.headers = clean_headers(board.headers, staged.name)
        staged.notes.append(board.note())
        return
    with _reading_sheet(staged):
        header = pd.read_excel(book, sheet_name=staged.sheet, nrows=0, dtype=str)
    staged.headers = clean_headers(
        [str(c) if not str(c).startswith("Unnamed:") else "" for c in header.columns], staged.name
    )


@contextlib.contextmanager
def _reading_sheet(staged: StagedFile):
    """openpyxl raises ValueError, TypeError, KeyError... for a cell it cannot read (a number
    cell holding text): a person gets the sheet, the row and what to do, not a traceback."""
    try:
        yield
    except ImportProblem:
        raise
    except Exception as exc:
        raise _unreadable_sheet(staged, exc) from exc


def _unreadable_sheet(staged: StagedFile, exc: Exception) -> ImportProblem:
    row = _first_unreadable_row(staged.path, staged.sheet)
    value = re.search(r": '([^']{0,60})'", str(exc))
    if isinstance(exc, ValueError) and value:
        what = f"a cell marked as a number holds the text {value.group(1)!r}"
    else:
        what = f"a cell cannot be read ({type(exc).__name__})"
    where = f", row {row}" if row else ""
    return ImportProblem(
        f"{staged.name}, sheet {staged.sheet!r}{where}: {what}; open the file in Excel and "
        "save it again, or save the sheet as CSV and import that.",
        file=staged.name,
        line=row,
    )


def _first_unreadable_row(path: Path, sheet: str | None) -> int | None:
    """The sheet row openpyxl fails on, found by reading rows until it fails (only after a
    failure, streaming, so it costs one partial pass)."""
    from openpyxl import load_workbook

    rows = 0
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:
        return None
    try:
        for _ in book[sheet].iter_rows(values_only=True):
            rows += 1
    except Exception:
        return rows + 1
    finally:
        book.close()
    return None


def read_raw(con: duckdb.DuckDBPyConnection, staged: StagedFile) -> RawTable:
    """Read every cell as text into a temp table c0..cN; records DuckDB rejects are listed."""
    table = f"raw_{next(_counter)}"
    try:
        return _read_raw(con, staged, table)
    except BaseException:
        _drop_tables(con, table)  # a refused file leaves no temp table behind
        raise


def _read_raw(con: duckdb.DuckDBPyConnection, staged: StagedFile, table: str) -> RawTable:
    rejects = pd.DataFrame(columns=["line", "column", "value", "reason"])
    skipped: list[int] = []  # sheet lines that hold no row (a board's title, groups, ...)
    if staged.kind == "csv":
        rejects = _read_csv(con, staged, table)
    elif staged.layout == "monday board":
        with _reading_sheet(staged):
            board = boards.read_board(staged.path, staged.sheet)
        skipped = board.skipped_lines
        con.register(f"{table}_frame", board.frame)
        text = ", ".join(f"{c}::varchar as {c}" for c in board.frame.columns)  # c0.. only
        con.execute(f"create temp table {table} as select {text} from {table}_frame")
        con.unregister(f"{table}_frame")
    elif staged.kind == "xlsx":
        with _reading_sheet(staged):
            _read_sheet(con, staged, table)
    else:
        _read_parquet(con, staged, table)
    rows = int(con.execute(f"select count(*) from {table}").fetchall()[0][0])
    if rows == 0 and rejects.empty:
        raise ImportProblem(f"{staged.name} has a header row but no data rows.", file=staged.name)
    lines = sorted({int(x) for x in rejects["line"].dropna().unique()} | set(skipped))
    thresholds = [line - j for j, line in enumerate(lines, 1)]
    if len(thresholds) > 200:
        frame = pd.DataFrame({"threshold": thresholds})
        con.register(f"{table}_lines_frame", frame)
        con.execute(f"create temp table {table}_lines as select * from {table}_lines_frame")
        con.unregister(f"{table}_lines_frame")
    return RawTable(staged, table, rows, rejects, thresholds)


SHEET_BATCH_ROWS = 20_000


def _read_sheet(con: duckdb.DuckDBPyConnection, staged: StagedFile, table: str) -> None:
    """Stream the sheet's rows (openpyxl read-only) into the text table, a batch at a time, so
    memory holds one batch, not the sheet. Rows and cells as pandas' read_excel(dtype=str) read
    them: an empty row between rows stays (as a row of nulls, at its own line), empty rows at
    the end are dropped."""
    from openpyxl import load_workbook

    width = len(staged.headers)
    names = [f"c{i}" for i in range(width)]
    con.execute(f"create temp table {table} ({', '.join(f'{n} varchar' for n in names)})")
    book = load_workbook(staged.path, read_only=True, data_only=True)
    try:
        sheet = book[staged.sheet]
        sheet.reset_dimensions()  # a declared dimension can be wrong: read the real extent
        batch: list[list[str | None]] = []
        blank = 0  # empty rows not yet known to lie between rows
        for row in sheet.iter_rows(min_row=2):
            cells = [sheet_text(c.value, c.data_type) for c in row[:width]]
            if all(c is None for c in cells):
                blank += 1
                continue
            batch.extend([None] * width for _ in range(blank))
            batch.append(cells + [None] * (width - len(cells)))
            blank = 0
            if len(batch) >= SHEET_BATCH_ROWS:
                _append_rows(con, table, names, batch)
                batch = []
        _append_rows(con, table, names, batch)
    finally:
        book.close()


def _append_rows(con: duckdb.DuckDBPyConnection, table: str, names: list[str], batch: list) -> None:
    if not batch:
        return
    frame = pd.DataFrame(batch, columns=names, dtype=object)
    con.register(f"{table}_batch", frame)
    try:
        con.execute(f"insert into {table} select * from {table}_batch")
    finally:
        con.unregister(f"{table}_batch")


def sheet_text(value: object, data_type: str | None = None) -> str | None:
    """A cell as pandas.read_excel(dtype=str) gave it: whole numbers without '.0', dates as
    'YYYY-MM-DD HH:MM:SS', booleans as True/False; an empty cell, "" or an error (#N/A) is
    None."""
    if value is None or value == "" or data_type == "e":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_csv(con: duckdb.DuckDBPyConnection, staged: StagedFile, table: str) -> pd.DataFrame:
    columns = {f"c{i}": "VARCHAR" for i in range(len(staged.headers))}
    rejects = f"{table}_rejects"
    try:
        con.execute(
            f"create temp table {table} as select * from read_csv($path, header = false,"
            " skip = 1, columns = $columns, delim = $delim, quote = '\"', escape = '\"',"
            " auto_detect = false, strict_mode = true, null_padding = false,"
            " store_rejects = true, rejects_table = $rejects, rejects_scan = $scans,"
            " max_line_size = $max_line, parallel = true)",
            {
                "path": str(staged.path),
                "columns": columns,
                "delim": staged.delimiter,
                "rejects": rejects,
                "scans": f"{rejects}_scans",
                "max_line": MAX_LINE_BYTES,
            },
        )
    except duckdb.Error as exc:
        raise ImportProblem(
            f"{staged.name} could not be read as CSV: {plain_reason(exc)}; open it in a "
            "spreadsheet and save it again as CSV.",
            file=staged.name,
        ) from exc
    found = con.execute(
        f"select line, column_name, csv_line, error_type, error_message from {rejects}"
        " order by line"
    ).df()
    found = found.drop_duplicates(["line", "error_type"])  # DuckDB may report a line twice
    names = dict(zip(columns, staged.headers, strict=True))
    return pd.DataFrame(
        {
            "line": found["line"].astype("int64"),
            "column": found["column_name"].map(lambda c: names.get(c, "")),
            "value": found["csv_line"].str.slice(0, 200),
            "reason": found.apply(_reject_reason, axis=1, width=len(columns)),
        }
    )


def _reject_reason(row: pd.Series, width: int) -> str:
    kind = str(row["error_type"])
    if kind == "TOO MANY COLUMNS":
        return f"the row has more fields than the {width} columns of the header"
    if kind == "MISSING COLUMNS":
        return f"the row has fewer fields than the {width} columns of the header"
    if "LINE SIZE" in kind:
        return f"the line is longer than {MAX_LINE_BYTES // 1024} KB"
    if "UNQUOTED" in kind or "QUOTE" in kind:
        return "a quote is opened and never closed"
    return str(row["error_message"]).splitlines()[0]


def _read_parquet(con: duckdb.DuckDBPyConnection, staged: StagedFile, table: str) -> None:
    try:
        described = con.execute(
            "select * from read_parquet($path) limit 0", {"path": str(staged.path)}
        ).description
    except duckdb.Error as exc:
        raise ImportProblem(
            f"{staged.name} could not be read as Parquet: {plain_reason(exc)}",
            file=staged.name,
        ) from exc
    names = [d[0] for d in described]
    staged.headers = clean_headers(names, staged.name)
    # Parquet column names are checked above and quoted; values stay in the file.
    select = ", ".join(
        f"cast({quote_identifier(n)} as varchar) as c{i}" for i, n in enumerate(names)
    )
    try:
        con.execute(
            f"create temp table {table} as select {select} from read_parquet($path)",
            {"path": str(staged.path)},
        )
    except duckdb.Error as exc:  # e.g. out of memory on a shape the footer checks let through
        raise ImportProblem(
            f"{staged.name} could not be read as Parquet: {plain_reason(exc)}; save it again "
            "with fewer columns or rows per file, or as CSV.",
            file=staged.name,
        ) from exc


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def discard(con: duckdb.DuckDBPyConnection, raw: RawTable) -> None:
    """Drop the temp tables and the staged copy of a file."""
    release(con, raw)
    raw.staged.path.unlink(missing_ok=True)


def release(con: duckdb.DuckDBPyConnection, raw: RawTable) -> None:
    """Drop the text table once the file is converted: nothing reads it after that, and a
    large file's text would otherwise hold DuckDB's memory while the converted rows load."""
    _drop_tables(con, raw.table)


def _drop_tables(con: duckdb.DuckDBPyConnection, table: str) -> None:
    for suffix in ("", "_rejects", "_rejects_scans", "_lines"):
        con.execute(f"drop table if exists {table}{suffix}")
