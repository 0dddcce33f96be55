"""Tables recognised by shape (issue 17, point 2): stage history, surveys, "don't load"."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import cli
from dashboard.ingest import columns, loader
from dashboard.ingest.mapping import SKIP, guess
from dashboard.ingest.vendors import Recognition

REAL = Path(__file__).parent / "real_exports"
GENERIC = Recognition("generic", 1.0, ())


def inspect(con, path: Path, **options) -> loader.Inspection:
    ins = loader.inspect(con, path, path.name, allow_incomplete=True, **options)
    loader.close(con, ins)
    return ins


def profiled(cells: dict[str, list[str]]) -> dict[str, columns.ColumnProfile]:
    return {h: columns.profile(h, v) for h, v in cells.items()}


@pytest.mark.parametrize(
    ("name", "key"),
    [("OpportunityHistory.csv", "OpportunityId"), ("sf_opp_changes.csv", "OppID")],
)
def test_stage_history_is_never_loaded_as_deals(con, name, key):
    ins = inspect(con, REAL / "salesforce-dataloader" / name)
    assert ins.mapping.table == "deal_stage_history"
    assert ins.mapping.source("deal_id").columns == (key,)
    assert ins.mapping.source("stage").columns == ("StageName",)
    assert ins.mapping.source("entered_at").columns == ("CreatedDate",)
    assert ins.rows_ok == 16


def test_history_by_shape_whatever_the_file_name():
    # 2 deals, 3 rows each, a stage and a date: many rows per deal id.
    cells = {
        "Deal ID": ["d1", "d1", "d1", "d2", "d2", "d2"],
        "Stage": ["New", "Demo", "Won", "New", "Demo", "Lost"],
        "Created Date": ["2024-01-0" + str(i) for i in range(1, 7)],
        "Amount": ["10", "10", "12", "5", "5", "5"],
    }
    by_shape = guess(list(cells), "export (3).csv", GENERIC, None, profiled(cells))
    assert by_shape.table == "deal_stage_history"
    # The same columns with one row per deal are deals.
    once = {h: v[::3] for h, v in cells.items()}
    assert guess(list(once), "export (3).csv", GENERIC, None, profiled(once)).table == "deals"


def test_google_forms_survey_is_surveys_never_activities(con):
    path = REAL / "google-forms" / "Customer Feedback Survey (Responses) - Form Responses 1.csv"
    ins = inspect(con, path)
    assert ins.mapping.table == "surveys"
    assert ins.mapping.source("responded_at").columns == ("Timestamp",)
    assert ins.mapping.source("score").columns == (
        "How likely are you to recommend us to a friend or colleague?",
    )
    assert ins.mapping.used_columns() == {
        "Timestamp",
        "How likely are you to recommend us to a friend or colleague?",
    }
    note = next(n for n in ins.notes if "other question columns stay unmapped" in n)
    assert "How satisfied are you with our customer support?" in note
    assert "How likely are you to buy from us again?" in note


def test_nps_without_a_date_is_surveys_never_accounts(con):
    ins = inspect(con, REAL / "google-forms" / "nps-no-date.csv")
    assert ins.mapping.table == "surveys"
    assert ins.mapping.source("score").columns == (
        "How likely are you to recommend Acme to a friend?",
    )
    assert ins.mapping.source("comment").columns == ("What is the main reason for your score?",)
    assert ins.conversion is None and "responded_at" in ins.problem  # its one problem


def test_teams_file_fills_owners(con):
    ins = inspect(con, REAL / "maven-crm" / "sales_teams.csv")
    assert ins.mapping.table == "owners"
    assert {k: c.source.columns[0] for k, c in ins.mapping.fields.items() if c.source} == {
        "owner": "sales_agent",
        "team": "regional_office",
        "manager": "manager",
    }


def test_products_file_fills_products(con):
    ins = inspect(con, REAL / "maven-crm" / "products.csv")
    assert ins.mapping.table == "products"
    assert {k: c.source.columns[0] for k, c in ins.mapping.fields.items() if c.source} == {
        "product": "product",
        "series": "series",
        "list_price": "sales_price",
    }


def test_cli_refuses_a_file_that_fits_no_table_in_one_sentence(db_path, capsys, tmp_path):
    path = tmp_path / "inventory.csv"
    path.write_text("Shelf,Colour,Height\nA1,blue,3\nA2,red,4\n")
    assert cli.main(["import", str(path), "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert "inventory.csv fits none of the tables" in err and "--table" in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_choosing_not_to_load_gives_no_table():
    mapping = guess(["Deal Stage"], "deals.csv", GENERIC, SKIP)
    assert mapping.table is None and "chose not to load" in mapping.reason


def test_load_all_skips_a_file_that_is_not_loaded(con, monkeypatch):
    from dashboard.ui import import_panels as view

    path = REAL / "maven-crm" / "products.csv"
    ins = loader.inspect(con, path, path.name, allow_incomplete=True, table=SKIP)
    panel = view.Panel(view.Choices(table=SKIP), inspection=ins)
    monkeypatch.setattr(view, "panels", lambda: {"f1": panel})
    committed = []
    monkeypatch.setattr(view.loader, "commit", lambda *a, **k: committed.append(a))
    monkeypatch.setattr(view.st, "progress", lambda *a, **k: _Bar())
    view.load_all(con, all_or_nothing=False, remove_sample=False)
    loader.close(con, ins)
    assert committed == [] and panel.result is None


class _Bar:
    def empty(self) -> None:
        return None
