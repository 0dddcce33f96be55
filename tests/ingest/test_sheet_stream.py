"""The .xlsx reader streams the sheet in batches (openpyxl read-only) instead of building the
whole sheet in pandas, and reads every cell as read_excel(dtype=str) did, so mappings, dates
and line numbers are unchanged (issue 21: read within a memory budget)."""

from __future__ import annotations

import datetime as dt

import duckdb
from openpyxl import Workbook

from dashboard.ingest import files


def test_cells_and_rows_read_as_before_in_batches(tmp_path, monkeypatch):
    path = tmp_path / "mixed.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Amount", "Date", "Flag", "Float", "Err"])
    sheet.append(["Acme", 5, dt.datetime(2024, 1, 5), True, 1.5, "#N/A"])
    sheet.append([" pad ", 5.0, dt.date(2024, 2, 1), False, 1e20, None])
    sheet.append([None] * 6)  # an empty row between rows stays, at its own line
    sheet.append(["Z", "3,5", "2024-03-01", "yes", 0.25, None])
    sheet.append([None] * 6)  # empty rows at the end are dropped
    book.save(path)
    monkeypatch.setattr(files, "SHEET_BATCH_ROWS", 2)  # 4 rows: batches of 2, 2
    staged = files.StagedFile("m.xlsx", path, "xlsx", "x", 1, headers=["a"] * 6, sheet="Sheet")
    con = duckdb.connect()
    files._read_sheet(con, staged, "t")
    # By hand: whole floats lose '.0' (5.0 -> '5', 1e20 -> the integer), datetimes and dates
    # read 'YYYY-MM-DD HH:MM:SS', booleans True/False, an error cell and an empty cell null.
    assert con.execute("select * from t").fetchall() == [
        ("Acme", "5", "2024-01-05 00:00:00", "True", "1.5", None),
        (" pad ", "5", "2024-02-01 00:00:00", "False", "100000000000000000000", None),
        (None, None, None, None, None, None),
        ("Z", "3,5", "2024-03-01", "yes", "0.25", None),
    ]
