"""Hostile and broken files: one clear sentence each, nothing half-written."""

import io
import json
import os
import subprocess
import sys
from datetime import datetime

import pandas as pd
import pytest

from dashboard import cli
from dashboard.ingest import files, loader
from dashboard.ingest.errors import ImportProblem
from dashboard.store import warehouse

ORDERS = "Customer,Order Date,Total\nAcme,2024-01-05,100\nBeta,2024-01-06,250.5\n"


def load_bytes(con, data: bytes, name: str, **options):
    inspection = loader.inspect(con, data, name, **options)
    try:
        return inspection, loader.commit(con, inspection)
    finally:
        loader.close(con, inspection)


def table_counts(con) -> dict[str, int]:
    return {
        t: con.execute(f'select count(*) from "{t}"').fetchall()[0][0]  # noqa: S608
        for t in (*warehouse.CANONICAL_TABLES, "loads")
    }


def problem(con, data: bytes, name: str, **options) -> str:
    before = table_counts(con)
    with pytest.raises(ImportProblem) as caught:
        load_bytes(con, data, name, **options)
    assert table_counts(con) == before  # nothing half-written
    assert not list(warehouse.import_dir(_path(con)).iterdir())  # staged copy cleaned up
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def _path(con):
    return loader._db_path(con)


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"", "empty.csv", "empty.csv is empty"),
        (b"   \n\n", "blank.csv", "blank.csv is empty"),
        (b"Customer,Order Date,Total\n", "header.csv", "has a header row but no data rows"),
        (b"Amount,Date,amount\n1,2024-01-01,2\n", "dup.csv", "two columns named 'amount'"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "picture.csv", "not a text CSV file (it looks like a PNG"),
        (ORDERS.encode(), "orders.xlsx", "not an Excel workbook"),
        (b"PK\x03\x04zipzip", "orders.parquet", "not a Parquet file"),
        (b"\xd0\xcf\x11\xe0old", "orders.xls", "old Excel 97-2003 file"),
        (b"Colour,Size\nblue,3\n", "things.csv", "fits none of the tables"),
    ],
)
def test_bad_files_get_one_sentence(con, data, name, expected):
    assert expected in problem(con, data, name)


def test_file_over_the_size_limit(con, monkeypatch):
    monkeypatch.setenv(files.MAX_IMPORT_ENV, "0.00001")  # about 10 bytes
    message = problem(con, ORDERS.encode(), "big.csv")
    assert "big.csv is 0 MB; the import limit is 0 MB" in message
    assert files.MAX_IMPORT_ENV in message


def test_a_row_with_too_many_fields_is_rejected_not_a_one_column_sniff(con):
    data = (ORDERS + "Gamma,2024-01-07,75,EXTRA,FIELDS\nDelta,2024-01-08,10\n").encode()
    inspection, result = load_bytes(con, data, "orders.csv")
    assert len(inspection.staged.headers) == 3
    assert (result.rows_loaded, result.rows_rejected) == (3, 1)
    assert con.execute("select account_id from orders order by 1").fetchall() == [
        ("name:acme",),
        ("name:beta",),
        ("name:delta",),
    ]


def test_rejected_rows_are_listed_with_line_column_value_and_reason(con):
    data = (
        b"Customer,Order Date,Total\nAcme,2024-01-05,100\nBeta,not a date,5\n"
        b"Gamma,2024-01-07,12abc\nDelta,2024-01-08,7\n"
    )
    inspection = loader.inspect(con, data, "orders.csv")
    report = inspection.conversion.rejected(con)
    loader.close(con, inspection)
    assert report[["line", "column", "value"]].values.tolist() == [
        [3, "Order Date", "not a date"],
        [4, "Total", "12abc"],
    ]
    assert report["reason"].tolist() == [
        "cannot read this as a date for ordered_at",
        "cannot read this as an amount for amount",
    ]
    assert inspection.rows_ok == 2


def test_all_or_nothing_loads_nothing_when_a_row_fails(con):
    data = b"Customer,Order Date,Total\nAcme,2024-01-05,100\nBeta,2024-13-45,5\n"
    inspection = loader.inspect(con, data, "orders.csv")
    with pytest.raises(ImportProblem, match="line 3, column 'Order Date'"):
        loader.commit(con, inspection, all_or_nothing=True)
    loader.close(con, inspection)
    assert table_counts(con)["orders"] == 0


def test_line_over_the_line_size_limit(con, monkeypatch):
    monkeypatch.setattr(files, "MAX_LINE_BYTES", 64)
    data = (ORDERS + "Acme," + "x" * 200 + ",1\n").encode()
    inspection = loader.inspect(con, data, "long.csv")
    report = inspection.conversion.rejected(con)
    loader.close(con, inspection)
    assert report["line"].tolist() == [4]
    assert "longer than" in report["reason"].iloc[0] or "field" in report["reason"].iloc[0]


def test_utf16_and_latin1_without_declared_encoding(con):
    text = "Customer\tOrder Date\tTotal\nZoë Café\t2024-01-05\t9,50\n"
    _, result = load_bytes(con, text.encode("utf-16"), "export.tsv")
    _, result2 = load_bytes(con, text.replace("Zoë", "Zoé").encode("latin-1"), "latin.txt")
    assert (result.rows_loaded, result2.rows_loaded) == (1, 1)
    assert con.execute("select account_id, amount::double from orders order by 1").fetchall() == [
        ("name:zoé café", 9.5),
        ("name:zoë café", 9.5),
    ]  # decimal comma read as 9.50


def test_hostile_column_names_and_formula_cells_stay_data(con):
    data = (
        b'"Customer"";drop table deals;--",Order Date,"Total $x \' OR 1=1--"\n'
        b"=cmd|' /C calc'!A0,2024-01-05,1\n"
    )
    overrides = {
        "account_name": 'Customer";drop table deals;--',
        "ordered_at": "Order Date",
        "amount": "Total $x ' OR 1=1--",
    }
    inspection, result = load_bytes(con, data, "evil.csv", table="orders", overrides=overrides)
    assert result.rows_loaded == 1
    assert con.execute("select account_id from orders").fetchall() == [("name:=cmd|' /c calc'!a0",)]
    assert "deals" in {r[0] for r in con.execute("show tables").fetchall()}


def test_same_file_twice_adds_nothing_and_changed_rows_replace(con):
    _, first = load_bytes(con, ORDERS.encode(), "orders.csv")
    _, again = load_bytes(con, ORDERS.encode(), "orders (1).csv")
    assert again.load_id is None and "already loaded as load" in again.message
    deals = b"Deal ID,Stage,Amount\nD1,Closed Won,100\nD2,Open,5\n"
    load_bytes(con, deals, "deals.csv")
    load_bytes(con, b"Deal ID,Stage,Amount\nD1,Closed Won,120\n", "deals-fixed.csv")
    assert con.execute("select deal_id, amount::double from deals order by 1").fetchall() == [
        ("D1", 120.0),
        ("D2", 5.0),
    ]
    assert table_counts(con)["orders"] == 2


def test_excel_sheet_choice_and_parquet(con, tmp_path):
    book = tmp_path / "book.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Notes", index=False)
        pd.DataFrame(
            {
                "Customer": ["Acme", "Beta"],
                "Order Date": [datetime(2024, 1, 5), datetime(2024, 1, 6)],
                "Total": [100.0, 250.5],
            }
        ).to_excel(writer, sheet_name="Orders", index=False)
    with pytest.raises(ImportProblem, match="has no sheet 'Nope'; its sheets are Notes, Orders"):
        loader.inspect(con, book, "book.xlsx", sheet="Nope")
    inspection, result = (lambda i: (i, loader.commit(con, i)))(
        loader.inspect(con, book, "book.xlsx", sheet="Orders")
    )
    loader.close(con, inspection)
    assert result.rows_loaded == 2
    parquet = tmp_path / "orders.parquet"
    pd.DataFrame(
        {"Customer": ["Gamma"], "Order Date": [datetime(2024, 2, 1)], "Total": [7.25]}
    ).to_parquet(parquet)
    _, result = (lambda i: (i, loader.commit(con, i)))(loader.inspect(con, parquet, "o.parquet"))
    assert con.execute(
        "select account_id, ordered_at, amount::double from orders order by 2"
    ).fetchall() == [
        ("name:acme", datetime(2024, 1, 5), 100.0),
        ("name:beta", datetime(2024, 1, 6), 250.5),
        ("name:gamma", datetime(2024, 2, 1), 7.25),
    ]


def test_ambiguous_dates_are_reported_and_can_be_chosen(con):
    data = b"Customer,Order Date,Total\nAcme,01/02/2024,1\nBeta,03/04/2024,2\n"
    inspection = loader.inspect(con, data, "orders.csv")
    assert inspection.conversion.ambiguous == ["Order Date"]
    assert any("AMBIGUOUS" in n for n in inspection.notes)
    loader.close(con, inspection)
    _, result = load_bytes(con, data, "orders.csv", date_families={"Order Date": "day_first"})
    assert con.execute("select ordered_at from orders order by 1").fetchall() == [
        (datetime(2024, 2, 1),),
        (datetime(2024, 4, 3),),
    ]  # 1 Feb and 3 Apr, read day first


def test_overrides_and_profiles(con):
    data = b"Who,When,Qty,Each\nAcme,2024-01-05,3,2.5\n"
    with pytest.raises(ImportProblem, match="has no column mapped to account_id or account_name"):
        loader.inspect(con, data, "x.csv", table="orders")
    overrides = {"account_name": "Who", "ordered_at": "When", "amount": "Qty * Each"}
    inspection = loader.inspect(con, data, "x.csv", table="orders", overrides=overrides)
    loader.commit(con, inspection)
    from dashboard.ingest import profiles

    profiles.save(con, "shop export", inspection.staged.headers, inspection.mapping, None)
    loader.close(con, inspection)
    assert con.execute("select amount::double from orders").fetchall() == [(7.5,)]
    # Same columns in another order: the profile applies by itself.
    again = loader.inspect(con, b"When,Who,Each,Qty\n2024-02-01,Beta,4,2\n", "y.csv")
    assert again.mapping.profile == "shop export" and again.rows_ok == 1
    loader.commit(con, again)
    loader.close(con, again)
    assert con.execute("select amount::double from orders order by 1").fetchall() == [
        (7.5,),
        (8.0,),
    ]
    with pytest.raises(ImportProblem, match="does not have"):
        loader.inspect(con, data, "x.csv", table="orders", overrides={"amount": "Nope"})


def test_cli_import_dry_run_loads_undo(db_path, capsys, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS)
    assert cli.main(["import", str(path), "--db", str(db_path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "-> table orders" in out and "Dry run" in out and "2 rows will load" in out
    assert cli.main(["import", str(path), "--db", str(db_path), "--map", "amount=Total"]) == 0
    assert "Loaded 2 rows of orders.csv into orders as load 1" in capsys.readouterr().out
    assert cli.main(["loads", "--db", str(db_path)]) == 0
    assert "orders.csv" in capsys.readouterr().out
    assert cli.main(["undo", "1", "--db", str(db_path)]) == 0
    assert cli.main(["kpis", "--db", str(db_path)]) == 0
    # The only load is undone: nothing says who the customers are, so no data (null), not 0.
    assert json.loads(capsys.readouterr().out.split("\n", 1)[1])["customers_total"] is None
    bad = tmp_path / "bad.csv"
    bad.write_text("Colour,Size\nblue,3\n")
    assert cli.main(["import", str(path), str(bad), "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv fits none of the tables" in err and "--table" in err and "Traceback" not in err
    con = warehouse.connect(db_path)
    assert con.execute("select count(*) from loads").fetchall() == [(1,)]  # nothing new


def test_first_import_removes_the_sample_unless_kept(con):
    from dashboard.store import sample

    sample.load_sample(con, scale=0.02)
    inspection = loader.inspect(con, ORDERS.encode(), "orders.csv")
    result = loader.commit(con, inspection, remove_sample=True)
    loader.close(con, inspection)
    assert "sample data was removed" in result.message
    assert con.execute("select count(*) from deals").fetchall() == [(0,)]
    assert con.execute("select count(*) from orders").fetchall() == [(2,)]


KILLER = """
import os, signal, sys
from pathlib import Path
from dashboard.store import warehouse
from dashboard.ingest import loader
real_append = warehouse._append
def append_then_die(con, table, relation, load_id):
    rows = real_append(con, table, relation, load_id)
    os.kill(os.getpid(), signal.SIGKILL)  # mid-transaction: rows written, nothing committed
warehouse._append = append_then_die
con = warehouse.connect(Path(sys.argv[1]))
ins = loader.inspect(con, Path(sys.argv[2]), "big.csv")
loader.commit(con, ins)
"""


def test_a_process_killed_mid_load_leaves_the_old_data(db_path, tmp_path):
    con = warehouse.connect(db_path)
    load_bytes(con, ORDERS.encode(), "orders.csv")
    before = table_counts(con)
    con.close()
    big = tmp_path / "big.csv"
    frame = pd.DataFrame(
        {"Customer": [f"C{i}" for i in range(50_000)], "Order Date": "2024-03-01", "Total": 1.5}
    )
    big.write_text(frame.to_csv(index=False))
    done = subprocess.run(
        [sys.executable, "-c", KILLER, str(db_path), str(big)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -9, done.stderr
    con = warehouse.connect(db_path)
    assert table_counts(con) == before
    assert warehouse.data_version(con) == 1
    os.environ.pop("UNUSED", None)


def test_quoted_line_breaks_keep_line_numbers_true_to_the_spreadsheet(con):
    data = io.BytesIO()
    data.write(b'Customer,Order Date,Total\n"Acme\nLtd",2024-01-05,1\nBeta,bad,2\n')
    inspection = loader.inspect(con, data.getvalue(), "o.csv")
    report = inspection.conversion.rejected(con)
    loader.close(con, inspection)
    assert report["line"].tolist() == [3]  # header 1, Acme (two physical lines) 2, Beta 3


def test_required_fields_are_found_by_content_when_names_give_nothing(con):
    data = b"Who,When,How much\nAcme,2024-01-05,12.50\nBeta,2024-01-06,$99\n"
    inspection = loader.inspect(
        con, data, "x.csv", table="orders", overrides={"account_name": "Who"}
    )
    grid = inspection.mapping_rows().set_index("field")
    loader.close(con, inspection)
    assert grid.loc["ordered_at", "column"] == "When"  # every cell reads as a date
    assert grid.loc["amount", "column"] == "How much"  # every cell reads as an amount
    assert grid.loc["amount", "confidence"] == 0.5  # below any name match
    assert "content: 100% of its cells read as amounts" in grid.loc["amount", "why"]
    assert inspection.rows_ok == 2
    # Text that does not read as a date is never taken for one.
    words = b"Who,Note,Total\nAcme,soon,1\n"
    incomplete = loader.inspect(
        con,
        words,
        "y.csv",
        table="orders",
        allow_incomplete=True,
        overrides={"account_name": "Who"},
    )
    loader.close(con, incomplete)
    assert incomplete.mapping.source("ordered_at") is None and incomplete.problem


@pytest.mark.parametrize(
    ("cells", "family"),
    [
        (["05/27/26", "12/31/2025"], "month_first"),
        (["27/05/26", "31/12/2025"], "day_first"),
        (["27 May 26", "31 Dec 2025"], "day_month_name"),
    ],
)
def test_two_digit_years_are_read_in_this_century(con, cells, family):
    # "26" is 2026 (never the year 26), and four-digit years in the same column still read.
    rows = "".join(f"Acme,{cell},1\n" for cell in cells)
    data = f"Customer,Order Date,Total\n{rows}".encode()
    _, result = load_bytes(con, data, "orders.csv", date_families={"Order Date": family})
    assert result.rows_rejected == 0
    assert con.execute("select ordered_at from orders order by 1").fetchall() == [
        (datetime(2025, 12, 31),),
        (datetime(2026, 5, 27),),
    ]
