"""The panel's Markdown: names from the data are text, never links, maths or formatting."""

from dashboard.analytics.changes.words import Line
from dashboard.ui import changes_panel


def test_names_from_the_data_cannot_make_links_or_maths():
    hostile = "[click](javascript:alert(1)) *bold* $x$ <b>"
    text = changes_panel._md(hostile)
    # Every bracket, star, dollar and angle bracket is escaped.
    assert text == r"\[click\]\(javascript\:alert\(1\)\) \*bold\* \$x\$ \<b\>"
    line = changes_panel._line(Line(f"{hostile} (added): +$5K", "funnel?period=all&owner=A"))
    assert line.startswith(r"- [\[click\]") and line.endswith("](funnel?period=all&owner=A)")
    assert changes_panel._line(Line("No link")) == "- No link"


def test_the_overview_shows_the_panel_after_a_load_collapsed_above_the_tiles(app_db):
    """Golden data (one load), then D8 added: the overview's panel names the file and the
    change; with the golden load alone it names that load."""
    from streamlit.testing.v1 import AppTest

    from dashboard.store import warehouse
    from tests.conftest import APP, frame, loaded
    from tests.golden_data import load_golden

    def two_loads(con):
        load_golden(con)
        d8 = frame(
            "deal_id account_id owner stage status amount",
            [("D8", "A1", "Ann", "Proposal", "open", 5)],
        )
        warehouse.load_frames(con, {"deals": d8}, source="test", file_name="d8.csv")

    loaded(app_db, two_loads)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    (panel,) = [e for e in at.expander if "What changed" in e.label]
    assert "Since d8\\.csv, loaded" in panel.label
    assert not panel.proto.expanded  # collapsed: the tiles stay where they were
    text = " ".join(m.value for m in panel.markdown)
    assert r"[Deals\: 1 added, 0 updated, 0 removed](funnel?period=all)" in text
    assert len(at.metric) == 7


def test_on_a_large_warehouse_the_panel_is_worked_out_off_the_page_run(app_db, monkeypatch):
    """Above BACKGROUND_FROM_DEALS the overview does not wait for the panel (31 s at a million
    deals): one line says it is being worked out, and a later run shows it, the same panel."""
    from streamlit.testing.v1 import AppTest

    from dashboard.store import warehouse
    from tests.conftest import APP, frame, loaded
    from tests.golden_data import load_golden

    def two_loads(con):
        load_golden(con)
        d8 = frame(
            "deal_id account_id owner stage status amount",
            [("D8", "A1", "Ann", "Proposal", "open", 5)],
        )
        warehouse.load_frames(con, {"deals": d8}, source="test", file_name="d8.csv")

    loaded(app_db, two_loads)
    release = __import__("threading").Event()
    compute = changes_panel._latest_change
    monkeypatch.setattr(changes_panel, "BACKGROUND_FROM_DEALS", 0)  # golden data counts as large
    monkeypatch.setattr(
        changes_panel, "_latest_change", lambda *a: release.wait(120) and compute(*a)
    )
    monkeypatch.setattr(changes_panel, "_jobs", {})
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()  # the job is held until released: the page is drawn without the panel
    assert not at.exception and len(at.metric) == 7
    assert not [e for e in at.expander if "What changed" in e.label]
    assert any("Working out what the latest load changed" in c.value for c in at.caption)
    release.set()
    next(iter(changes_panel._jobs.values())).result(timeout=120)
    at.run()
    (panel,) = [e for e in at.expander if "What changed" in e.label]
    assert "Since d8\\.csv, loaded" in panel.label and not panel.proto.expanded
    assert not any("Working out" in c.value for c in at.caption)


def test_wait_for_background_returns_once_every_panel_job_is_done(monkeypatch):
    # The bench closes the shared connection after recording; a panel still being worked
    # out on one of its cursors made that fail ("connection is busy"). A job released by the
    # test (no timing): wait_for_background returns only once it has finished.
    import threading

    release, finished = threading.Event(), []

    def job():
        release.wait(60)
        finished.append(True)

    monkeypatch.setattr(changes_panel, "_jobs", {})
    changes_panel._jobs["key"] = changes_panel._worker.submit(job)
    threading.Timer(0.2, release.set).start()
    changes_panel.wait_for_background(timeout=60)
    assert finished == [True]
    changes_panel.wait_for_background(timeout=60)  # nothing pending: returns at once
