"""A date column whose every value reads both month first and day first is never decided
silently: the command line refuses the file naming --date-format, the page asks, unless a
default order is configured or the CRM always writes month first (issue 17, point 5)."""

from datetime import datetime
from pathlib import Path

import pytest

from dashboard import cli
from dashboard.ingest import loader
from dashboard.ingest.convert import DATE_ORDER_ENV
from dashboard.ingest.errors import ImportProblem
from dashboard.store import warehouse

FORMS = Path(__file__).parent / "real_exports" / "google-forms"
SURVEY = FORMS / "Customer Feedback Survey (Responses) - Form Responses 1.csv"

# The 20 answers' Timestamps, read month first (11/d/2019 H:M:S is November d, 2019), by hand
# from the file: days 1..12 and then 1..8 again.
NOVEMBER = sorted(
    datetime(2019, 11, d, h, m, s)
    for d, h, m, s in [
        (1, 8, 0, 0), (2, 9, 13, 7), (3, 10, 26, 14), (4, 11, 39, 21), (5, 12, 52, 28),
        (6, 13, 5, 35), (7, 14, 18, 42), (8, 15, 31, 49), (9, 16, 44, 56), (10, 17, 57, 3),
        (11, 8, 10, 10), (12, 9, 23, 17), (1, 10, 36, 24), (2, 11, 49, 31), (3, 12, 2, 38),
        (4, 13, 15, 45), (5, 14, 28, 52), (6, 15, 41, 59), (7, 16, 54, 6), (8, 17, 7, 13),
    ]
)  # fmt: skip


@pytest.fixture(autouse=True)
def no_configured_order(monkeypatch):
    monkeypatch.delenv(DATE_ORDER_ENV, raising=False)


def cli_import(db_path, *extra: str) -> int:
    return cli.main(["import", str(SURVEY), "--table", "surveys", "--db", str(db_path), *extra])


def answers(db_path) -> list[datetime]:
    con = warehouse.connect(db_path)
    try:
        return [r[0] for r in con.execute("select responded_at from surveys order by 1").fetchall()]
    finally:
        con.close()


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
def test_the_cli_refuses_the_google_forms_file_without_a_date_format(db_path, capsys, dry_run):
    assert cli_import(db_path, *dry_run) == 2
    err = capsys.readouterr().err
    assert "--date-format 'Timestamp=month_first'" in err
    assert "every date in column 'Timestamp' reads both month first and day first" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    con = warehouse.connect(db_path)
    assert con.execute("select count(*) from surveys").fetchall() == [(0,)]


def test_month_first_puts_all_twenty_answers_in_november_2019(db_path, capsys):
    assert cli_import(db_path, "--date-format", "Timestamp=month_first") == 0
    assert "Loaded 20 rows" in capsys.readouterr().out
    assert answers(db_path) == NOVEMBER


def test_a_configured_default_order_decides_with_a_note(db_path, capsys, monkeypatch):
    monkeypatch.setenv(DATE_ORDER_ENV, "month_first")
    assert cli_import(db_path) == 0
    out = capsys.readouterr().out
    assert "read month first because CRM_DASHBOARD_DATE_ORDER is month_first" in out
    assert answers(db_path) == NOVEMBER


def test_a_wrong_configured_order_is_one_sentence(db_path, capsys, monkeypatch):
    monkeypatch.setenv(DATE_ORDER_ENV, "american")
    assert cli_import(db_path) == 2
    assert "CRM_DASHBOARD_DATE_ORDER is 'american'; set it to month_first or day_first" in (
        capsys.readouterr().err
    )


def test_nothing_loads_from_the_page_until_the_column_is_answered(con):
    inspection = loader.inspect(con, SURVEY, SURVEY.name, table="surveys")
    try:
        assert inspection.conversion.undecided == ["Timestamp"]
        assert inspection.conversion.date_orders == {}  # no preset answer for the radio
        with pytest.raises(ImportProblem, match="--date-format 'Timestamp=month_first'"):
            loader.commit(con, inspection)
    finally:
        loader.close(con, inspection)
    assert con.execute("select count(*) from surveys").fetchall() == [(0,)]
    # The answer (the page's radio sets date_families) keeps the question on screen.
    answered = loader.inspect(
        con, SURVEY, SURVEY.name, table="surveys", date_families={"Timestamp": "day_first"}
    )
    try:
        assert answered.conversion.undecided == []
        assert answered.conversion.date_orders == {"Timestamp": "day_first"}
        assert loader.commit(con, answered).rows_loaded == 20
    finally:
        loader.close(con, answered)


def test_a_crm_that_always_writes_month_first_decides_with_a_note(con):
    # HubSpot writes US dates: 03/04/2024 is 4 March, said in a note (never silently).
    data = b"Record ID,Deal Name,Deal Stage,Create Date\n1,A,Closed Won,03/04/2024\n"
    inspection = loader.inspect(con, data, "hubspot-crm-exports-all-deals.csv")
    try:
        assert inspection.vendor.vendor == "hubspot"
        assert inspection.conversion.undecided == []
        assert any(
            "Create Date: AMBIGUOUS" in n and "because HubSpot writes month-first dates" in n
            for n in inspection.notes
        )
        loader.commit(con, inspection)
    finally:
        loader.close(con, inspection)
    assert con.execute("select created_at from deals").fetchall() == [(datetime(2024, 3, 4),)]


def test_salesforce_may_not_decide_ambiguous_dates(con):
    # Salesforce reports follow the exporting user's locale: asked like a spreadsheet.
    data = b"Opportunity Name,Stage,Close Date,Account Name\nA,Closed Won,03/04/2024,Acme\n"
    inspection = loader.inspect(con, data, "report.csv", table="deals")
    try:
        assert inspection.vendor.vendor == "salesforce"
        assert inspection.conversion.undecided == ["Close Date"]
    finally:
        loader.close(con, inspection)
