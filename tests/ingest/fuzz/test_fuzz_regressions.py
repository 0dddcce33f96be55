"""Regression tests for what fuzz_import.py (beside this file) found; each input is the
fuzzer's, shrunk by hand to what still showed the fault."""

from __future__ import annotations

import pytest

from dashboard.ingest import convert, loader
from dashboard.ingest.errors import ImportProblem
from dashboard.store import warehouse


def temp_objects(con) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_catalog = 'temp'"
    ).fetchall()
    return sorted(r[0] for r in rows)


def staged_files(con, db_path) -> list[str]:
    return sorted(p.name for p in warehouse.import_dir(db_path).iterdir())


@pytest.mark.parametrize(
    "data, name",
    [
        (b"Customer,Order Date,Total\n", "orders.csv"),  # header only: no data rows
        (b"Customer,Order Date,Total\r\n\r\n", "orders.csv"),
    ],
)
def test_a_refused_file_leaves_no_temp_table_behind(con, db_path, data, name):
    """Finding 1: read_raw created raw_N (+ its rejects tables), then refused the file; the
    tables stayed in the session for good (one set per failed upload)."""
    with pytest.raises(ImportProblem, match="no data rows"):
        loader.inspect(con, data, name)
    assert temp_objects(con) == []
    assert staged_files(con, db_path) == []


def test_a_conversion_that_fails_leaves_no_temp_view_behind(con, db_path, monkeypatch):
    """Finding 2: a deals conversion registered its stage map, then failed in build(); the
    registered view stayed. (The failure the fuzzer hit, an amount too large for
    DECIMAL(18,2), is fixed too, so the failure is forced here.)"""

    def fail(self):
        raise ImportProblem("deals.csv could not be converted: forced")

    monkeypatch.setattr(convert._Builder, "build", fail)
    data = b"Deal Name,Deal Stage,Amount\nA,Closed Won,100\n"
    with pytest.raises(ImportProblem, match="forced"):
        loader.inspect(con, data, "deals.csv")
    assert temp_objects(con) == []
    assert staged_files(con, db_path) == []


def test_an_amount_too_large_rejects_its_row_not_the_file(con):
    """Finding 3: 'Could not cast value -37655175541189960.000000 to DECIMAL(18,2)' failed the
    whole conversion; now that row is rejected with the reason, the others load."""
    data = (
        b"Deal Name,Deal Stage,Amount,Close Date\n"
        b"A,Closed Won,100,2024-03-01\n"
        b"B,Closed Won,-3.765517554118996e+16,2024-03-01\n"
        b"C,Closed Won,99999999999999999999,2024-03-01\n"
    )
    ins = loader.inspect(con, data, "deals.csv")
    rejected = ins.conversion.rejected(con)
    assert (ins.rows_ok, ins.rows_rejected) == (1, 2)
    assert rejected["line"].tolist() == [3, 4]
    assert set(rejected["reason"]) == {"cannot read this as an amount for amount"}
    result = loader.commit(con, ins)
    loader.close(con, ins)
    assert result.rows_loaded == 1
    assert con.execute("select deal_name, amount from deals").fetchall() == [("A", 100)]


def test_an_unknown_survey_type_rejects_its_row_instead_of_failing_the_load(con):
    """Finding 4: a survey type cell naming no known survey ('\\', '8.04e58', empty) passed the
    checks, then the NOT NULL constraint on surveys.survey_type failed the whole load with a
    database error."""
    data = b"Survey,Date,Score\nNPS,2024-03-01,9\n\\,2024-03-01,5\n,2024-03-02,4\n"
    ins = loader.inspect(con, data, "surveys.csv", table="surveys")
    rejected = ins.conversion.rejected(con)
    assert (ins.rows_ok, ins.rows_rejected) == (1, 2)
    assert rejected["line"].tolist() == [3, 4]
    assert rejected["reason"].str.contains("cannot tell the survey type").all()
    result = loader.commit(con, ins)
    loader.close(con, ins)
    assert result.rows_loaded == 1
    assert con.execute("select survey_type, score from surveys").fetchall() == [("nps", 9)]


def test_a_csv_duckdb_cannot_follow_gets_a_sentence_without_database_internals(con, db_path):
    """Finding 5: a lone carriage return inside the header row made DuckDB's parser fail with
    'Invalid Input Error: The CSV Parser state machine reached an invalid state.', shown as
    is to the user."""
    data = (
        b"annual_revenue,%s,t,x\xc2\x83,Unit Price,?\r,\xc3\xb2,Order Date\n03/04/2024,2024-03-01"
    )
    with pytest.raises(ImportProblem) as caught:
        loader.inspect(con, data, "export.csv")
    text = str(caught.value)
    assert text.startswith("export.csv could not be read as CSV: its line endings or quotes")
    assert "Error" not in text and "state machine" not in text
    assert temp_objects(con) == [] and staged_files(con, db_path) == []


def test_database_error_classes_never_reach_an_import_message():
    from dashboard.ingest.errors import plain_reason

    assert plain_reason(Exception("Conversion Error: Could not cast value x\nLINE 1: select")) == (
        "Could not cast value x"
    )
    assert plain_reason(Exception("Invalid Input Error: CSV Parser state machine broke")) == (
        "its line endings or quotes are not consistent (a lone carriage return or a stray "
        "quote in a line)"
    )
