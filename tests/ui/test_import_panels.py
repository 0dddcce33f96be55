"""The import page's load step, outside the page: what a person reads when a load fails, and
several dropped files loading as one export."""

from __future__ import annotations

from types import SimpleNamespace

import duckdb

from dashboard.ingest import loader
from dashboard.store import warehouse
from dashboard.ui import import_panels as view

ACCOUNTS = b"Account ID,Account Name\nA-1,Acme\n"
DEALS = b"Deal ID,Company,Stage,Amount\nD1,Acme,Closed Won,10\nD2,Acme,Closed Won,x\n"


def test_a_database_error_during_a_load_reads_as_a_sentence(monkeypatch):
    inspection = SimpleNamespace(
        name="deals.csv", conversion=object(), mapping=SimpleNamespace(table="deals")
    )
    panel = view.Panel(view.Choices(), inspection=inspection)
    monkeypatch.setattr(view, "panels", lambda: {"f1": panel})
    monkeypatch.setattr(view, "_close", lambda cur, p: None)
    monkeypatch.setattr(view.batch, "link_accounts", lambda cur, ins: 0)

    def failing_commit(*args, **kwargs):
        raise duckdb.ConversionException(
            'Conversion Error: Could not convert string "x" to INT32\nLINE 1: select ...'
        )

    monkeypatch.setattr(view.batch, "commit_all", failing_commit)
    view.load_all(None, all_or_nothing=False, remove_sample=False)
    assert panel.result is None
    assert "Conversion Error" not in panel.error and "LINE 1" not in panel.error
    assert 'Could not convert string "x" to INT32' in panel.error


def dropped(con, monkeypatch) -> dict[str, view.Panel]:
    """Deals dropped before accounts, as a person might."""
    found = {
        "f1": view.Panel(view.Choices(), inspection=loader.inspect(con, DEALS, "deals.csv")),
        "f2": view.Panel(view.Choices(), inspection=loader.inspect(con, ACCOUNTS, "accounts.csv")),
    }
    monkeypatch.setattr(view, "panels", lambda: found)
    return found


def test_dropped_files_load_as_one_export_accounts_first(con, monkeypatch):
    found = dropped(con, monkeypatch)
    view.load_all(con, all_or_nothing=False, remove_sample=False)
    assert found["f2"].result.startswith("Loaded 1 rows of accounts.csv into accounts as load 1")
    assert found["f1"].result.startswith("Loaded 1 rows of deals.csv into deals as load 2")
    # The deal named its account by name; it got the id accounts.csv gives it.
    assert con.execute("select deal_id, account_id from deals").fetchall() == [("D1", "A-1")]


def test_one_file_refused_loads_none_and_says_why_on_each(con, monkeypatch):
    # All or nothing: D2's amount 'x' is rejected, so deals.csv refuses, and accounts.csv,
    # dropped with it, does not load either.
    found = dropped(con, monkeypatch)
    view.load_all(con, all_or_nothing=True, remove_sample=False)
    assert found["f1"].error.startswith("deals.csv: 1 rows would be rejected")
    assert found["f2"].error == (
        "Not loaded: deals.csv could not load, and files dropped together load together or "
        "not at all."
    )
    assert found["f1"].result is None and found["f2"].result is None
    assert warehouse.is_empty(con)
    for panel in found.values():
        loader.close(con, panel.inspection)


def _fit_script(db: str) -> None:
    from pathlib import Path

    from dashboard.ingest import loader
    from dashboard.store import warehouse
    from dashboard.ui import import_panels as view

    con = warehouse.connect(Path(db))
    deals = b"Deal ID,Company,Stage\nD1,Acme,Closed Won\nD2,,Closed Lost\n"
    accounts = b"Account ID,Account Name\nA-1,Acme\n"
    found = view.panels()
    found["f1"] = view.Panel(view.Choices(), inspection=loader.inspect(con, deals, "deals.csv"))
    found["f2"] = view.Panel(
        view.Choices(), inspection=loader.inspect(con, accounts, "accounts.csv")
    )
    view.render_fit(con)


def test_the_page_shows_how_the_files_fit_together(db_path):
    from streamlit.testing.v1 import AppTest

    warehouse.connect(db_path).close()
    at = AppTest.from_function(_fit_script, args=(str(db_path),), default_timeout=60).run()
    assert not at.exception
    text = [m.value for m in at.markdown]
    assert text[0] == "**How these files fit together**"
    assert text[1].startswith(
        "They load as one export, in this order: accounts.csv (accounts) → deals.csv (deals)."
    )
    # D1 names Acme (in accounts.csv), D2 names none.
    assert text[2] == (
        ":material/link_off: Company (deals.csv → accounts.csv): 1 of 2 deals name an account "
        "in accounts.csv (1 names none)"
    )


class Upload:
    """What st.file_uploader returns for one file, as far as sync_uploads reads it."""

    def __init__(self, file_id: str, name: str, data: bytes):
        self.file_id, self.name, self._data = file_id, name, data

    def getvalue(self) -> bytes:
        return self._data


def test_dropped_together_a_column_of_team_names_maps_as_owner(con, monkeypatch):
    # 'Handled' holds teams.csv's sales_agent names: read with teams.csv, it is the owner.
    found: dict[str, view.Panel] = {}
    monkeypatch.setattr(view, "panels", lambda: found)
    deals = Upload("f1", "deals.csv", b"Deal ID,Stage,Handled\nD1,Won,Ann Lee\nD2,Lost,Bob Roy\n")
    teams = Upload("f2", "teams.csv", b"sales_agent,regional_office\nAnn Lee,East\nBob Roy,West\n")
    view.sync_uploads(con, [deals])
    assert found["f1"].inspection.mapping.source("owner") is None
    view.sync_uploads(con, [deals, teams])
    assert found["f1"].inspection.mapping.source("owner").columns == ("Handled",)
    for panel in found.values():
        loader.close(con, panel.inspection)


def test_grids_name_fields_in_words_and_the_preview_drops_empty_columns():
    # Issue 19 point 7: the mapping grid showed deal_id, created_at, entered:Demo.
    import pandas as pd

    assert [view.field_words(f) for f in ("deal_id", "created_at", "entered:Demo")] == [
        "Deal ID",
        "Created",
        "Entered Demo",
    ]
    help_text = view.technical_names(pd.Series(["deal_id", "amount", "entered:Demo"]))
    assert "- Deal ID: `deal_id`" in help_text and "- Amount (USD): `amount`" in help_text
    assert "entered:" not in help_text  # a stage's own column is named in the grid already
    assert view.STATUS_FROM["guess"] == "a guess: check it"
    # currency and source are empty in every row shown: named once, not two blank columns.
    preview = pd.DataFrame(
        {"line": [2, 3], "amount": [42674.94, None], "currency": [None, ""], "source": [None] * 2}
    )
    shown, empty = view.preview_for_people(preview)
    assert list(shown.columns) == ["line", "amount"] and empty == ["Currency", "Source"]
