"""A bad file's failure stays in its own panel (issue 21, point 3): before, any exception other
than ImportProblem stopped the whole import page on every rerun while the file stayed in the
upload box, so the other files and the load history could not be used."""

from __future__ import annotations

from types import SimpleNamespace

from dashboard.ingest import loader
from dashboard.ui import import_panels as view

ORDERS = b"Customer,Order Date,Amount\nAcme,2024-01-05,100\n"


def upload(file_id: str, name: str, data: bytes) -> SimpleNamespace:
    return SimpleNamespace(file_id=file_id, name=name, getvalue=lambda: data)


def test_an_unforeseen_error_in_one_file_leaves_the_others_working(con, monkeypatch):
    found: dict[str, view.Panel] = {}
    monkeypatch.setattr(view, "panels", lambda: found)
    real = loader.inspect

    def inspect(cur, source, name, **kwargs):
        if name == "bad.xlsx":
            raise KeyError("xl/worksheets/sheet9.xml")  # what a reader's bug looks like
        return real(cur, source, name, **kwargs)

    monkeypatch.setattr(view.loader, "inspect", inspect)
    view.sync_uploads(con, [upload("f1", "bad.xlsx", b"PK"), upload("f2", "orders.csv", ORDERS)])
    assert found["f1"].inspection is None
    assert found["f1"].error.startswith("bad.xlsx could not be read (KeyError); remove it")
    assert found["f2"].error is None and found["f2"].inspection.rows_ok == 1
    view._close(con, found["f2"])


def test_reading_files_together_failing_keeps_each_files_own_reading(con, monkeypatch):
    found: dict[str, view.Panel] = {}
    monkeypatch.setattr(view, "panels", lambda: found)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(view.batch, "with_shared", broken)
    view.sync_uploads(con, [upload("f1", "a.csv", ORDERS), upload("f2", "b.csv", ORDERS)])
    assert all(p.inspection is not None and p.error is None for p in found.values())
    for panel in found.values():
        view._close(con, panel)


def test_a_panel_that_fails_to_draw_shows_one_sentence_in_itself(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(view.st, "error", lambda text, **kwargs: shown.append(text))

    def failing(*args):
        raise ValueError("cannot draw")

    monkeypatch.setattr(view, "_render_panel", failing)
    panel = view.Panel(view.Choices(), inspection=SimpleNamespace(name="deals.csv"))
    view.render_panel(None, "f1", panel)  # no exception reaches the page
    assert shown == [
        "deals.csv could not be shown (ValueError); remove it from the upload box, save it "
        "again as CSV and drop that (the details are in the server log)."
    ]
