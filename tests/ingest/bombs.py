"""Hostile files for the importer, built small on disk without holding their expanded size.

Each builder writes a file that is tiny compressed and huge expanded (issue 21, point 1), or a
shape that made the importer raise a traceback (point 3). Workbooks are written by hand with
zipfile, member by member and chunk by chunk, so building a 200 MB shared string costs the test
process a few megabytes.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
SST_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _repeat(piece: str, times: int, chunk: int = 1 << 16) -> Iterable[str]:
    """piece * times, in chunks of about `chunk` characters."""
    per = max(1, chunk // max(1, len(piece)))
    while times > 0:
        n = min(per, times)
        yield piece * n
        times -= n


def write_workbook(
    path: Path, sheet: Iterable[str], strings: Iterable[str], *, dimension: str | None = None
) -> Path:
    """An .xlsx whose sheet1 body and shared-strings body come from the given chunks."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with book.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
            out.write(SST_HEAD.encode())
            for piece in strings:
                out.write(piece.encode())
            out.write(b"</sst>")
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(SHEET_HEAD.encode())
            if dimension:
                out.write(f'<dimension ref="{dimension}"/>'.encode())
            out.write(b"<sheetData>")
            for piece in sheet:
                out.write(piece.encode())
            out.write(b"</sheetData></worksheet>")
    return path


def _header_rows() -> str:
    return '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'


def one_huge_string(path: Path, megabytes: int = 200) -> Path:
    """About 200 KB on disk: the shared-strings part is one string of `megabytes` MB."""
    size = megabytes * 1024 * 1024

    def strings():
        yield "<si><t>Customer</t></si><si><t>Amount</t></si><si><t>"
        yield from _repeat("A", size, 1 << 20)
        yield "</t></si>"

    rows = [_header_rows(), '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>5</v></c></row>']
    return write_workbook(path, rows, strings(), dimension="A1:B2")


def many_small_strings(path: Path, count: int = 5_000_000) -> Path:
    """About 200 KB on disk: `count` shared strings, each used by one row of the sheet."""

    def strings():
        yield "<si><t>Customer</t></si><si><t>Amount</t></si>"
        yield from _repeat("<si><t>s</t></si>", count)

    def rows():
        yield _header_rows()
        yield from _repeat('<row><c t="s"><v>2</v></c><c><v>5</v></c></row>', count)

    return write_workbook(path, rows(), strings(), dimension=f"A1:B{count + 1}")


def text_in_a_number_cell(path: Path) -> Path:
    """A valid workbook whose B3 says it is a number (no t=) but holds text."""
    rows = [
        _header_rows(),
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>5</v></c></row>',
        '<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3"><v>abc</v></c></row>',
    ]
    strings = ["<si><t>Customer</t></si><si><t>Amount</t></si><si><t>Acme</t></si>"]
    return write_workbook(path, rows, strings, dimension="A1:B3")


def repeated_rows_parquet(path: Path, rows: int = 30_000_000) -> Path:
    """About half a megabyte: `rows` identical orders (dictionary and run-length encoded)."""
    import duckdb

    con = duckdb.connect()
    con.sql(
        "select 'Acme' as customer, '2024-01-05' as order_date, 100 as amount from range($n)",
        params={"n": rows},
    ).write_parquet(str(path), compression="zstd")
    con.close()
    return path


def wide_parquet(path: Path, columns: int = 20_000) -> Path:
    """One row, `columns` columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({f"col{i}": pa.array([i], pa.int32()) for i in range(columns)})
    pq.write_table(table, path)
    return path


def long_field_csv(path: Path, kilobytes: int = 150) -> Path:
    """A CSV whose second line holds one field over the csv module's 128 KB field limit."""
    path.write_text(
        "Customer,Order Date,Amount\n"
        f'"{"x" * (kilobytes * 1024)}",2024-01-05,100\nAcme,2024-01-06,200\n',
        encoding="utf-8",
    )
    return path
