"""The import page's load step, outside the page: what a person reads when a load fails."""

from __future__ import annotations

from types import SimpleNamespace

import duckdb

from dashboard.ui import import_panels as view


def test_a_database_error_during_a_load_reads_as_a_sentence(monkeypatch):
    inspection = SimpleNamespace(name="deals.csv", conversion=object())
    panel = view.Panel(view.Choices(), inspection=inspection)
    monkeypatch.setattr(view, "panels", lambda: {"f1": panel})
    monkeypatch.setattr(view, "_close", lambda cur, p: None)

    def failing_commit(*args, **kwargs):
        raise duckdb.ConversionException(
            'Conversion Error: Could not convert string "x" to INT32\nLINE 1: select ...'
        )

    monkeypatch.setattr(view.loader, "commit", failing_commit)
    view.load_all(None, all_or_nothing=False, remove_sample=False)
    assert panel.result is None
    assert "Conversion Error" not in panel.error and "LINE 1" not in panel.error
    assert 'Could not convert string "x" to INT32' in panel.error
