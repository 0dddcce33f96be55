"""What makes a rerun on the real server cheaper, without changing what it shows."""

import plotly.graph_objects as go
import plotly.io as pio

from dashboard import cli
from dashboard.core import theme
from dashboard.store import warehouse


def test_the_chart_template_is_merged_once_and_looks_the_same(monkeypatch):
    expected = pio.templates.merge_templates("plotly_white", "crm")
    assert pio.templates[theme.TEMPLATE].to_plotly_json() == expected.to_plotly_json()

    def merged_again(*_args):
        raise AssertionError("a chart merged the templates again")

    monkeypatch.setattr(pio.templates, "_merge_2_templates", merged_again)
    fig = go.Figure(go.Bar(x=[1], y=[2]))
    fig.update_layout(template=theme.TEMPLATE)
    assert fig.layout.template.layout.colorway == tuple(theme.SERIES)


def _served_options(monkeypatch, tmp_path) -> dict[str, str]:
    """The Streamlit options `crm-dashboard serve` starts with: option -> value."""
    db = tmp_path / "w.duckdb"
    warehouse.connect(db).close()
    seen = {}
    monkeypatch.setattr(cli.os, "execvpe", lambda program, command, env: seen.update(c=command))
    assert cli.main(["serve", "--db", str(db)]) == 0
    command = seen["c"]
    pairs = zip(command, command[1:], strict=False)  # each item and the one after it
    return {option: value for option, value in pairs if option.startswith("--")}


def test_serve_skips_the_full_garbage_collection_after_each_run(monkeypatch, tmp_path):
    assert _served_options(monkeypatch, tmp_path)["--runner.postScriptGC"] == "false"


def test_serve_watches_no_source_file(monkeypatch, tmp_path):
    """Streamlit's watcher resolved the path of every loaded module after every run, on the
    thread that serves the browsers (about 1 s of its time in one sampled first render): a
    served app is not edited."""
    assert _served_options(monkeypatch, tmp_path)["--server.fileWatcherType"] == "none"


def test_deal_count_counts_every_deal_of_every_load(con):
    from dashboard.core import queries
    from tests.golden_data import load_golden

    load_golden(con)
    # The golden company: D1-D7, every status, D7 with no account and no dates: 7.
    everyone = {"segments": None, "regions": None, "owners": None, "teams": None}
    assert queries.run_one(con, "deal_count", everyone) == {"count_deals": 7}
    nobody = {"segments": [], "regions": [], "owners": [], "teams": []}  # a grant of nothing
    assert queries.run_one(con, "deal_count", nobody) == {"count_deals": 0}


def test_the_funnel_sends_a_page_of_the_dropoff_list_and_says_so(app_db):
    """The sample (first start): more deals stop at the default step than the page shows; the
    browser gets the first DROPOFF_ROWS_SHOWN (200: 1,000 styled rows were ~0.4 MB a rerun)."""
    from streamlit.testing.v1 import AppTest

    from dashboard.analytics.funnel import data as funnel
    from tests.conftest import APP, page

    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["period"] = "all"
    at.run()
    at.switch_page(page("funnel.py")).run()
    assert not at.exception, at.exception
    assert funnel.DROPOFF_ROWS_SHOWN == 200
    (dropoff,) = [d for d in at.dataframe if "Deal" in d.value.columns]
    assert len(dropoff.value) == 200
    assert any(c.value.startswith("The first 200 of ") for c in at.caption)


def test_the_health_page_scores_the_accounts_once_per_filters_and_preset(app_db, monkeypatch):
    """A rerun with the same filters and preset (a widget elsewhere, a chart click, another
    session) reuses the leaderboards; a what-if weight changes them: they are scored again."""
    from streamlit.testing.v1 import AppTest

    from dashboard.analytics.health import report
    from tests.conftest import APP, page

    calls = []
    score = report.account_scores
    monkeypatch.setattr(report, "account_scores", lambda *a: calls.append(1) or score(*a))
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    at.switch_page(page("health.py")).run()
    assert not at.exception, at.exception
    healthiest = at.dataframe[-3].value.copy()  # healthiest, least healthy, the timeline
    at.run()
    assert not at.exception and len(calls) == 1
    assert at.dataframe[-3].value.equals(healthiest)
    weight = next(s for s in at.slider if s.label.startswith("Weight"))
    weight.set_value(0.0 if weight.value else 1.0).run()
    assert not at.exception and len(calls) == 2


def test_the_warm_start_imports_what_every_page_file_imports():
    """The page files are the list: each `from dashboard... import x` names module x when it
    is one (charts, data), its parent otherwise (SURVEYS, GRAINS, Filters)."""
    from dashboard.ui import warm_up

    modules = warm_up.page_modules()
    for expected in (
        "dashboard.analytics.overview.charts",
        "dashboard.analytics.health.scoring",
        "dashboard.analytics.satisfaction.data",
        "dashboard.ui.widgets",
        "dashboard.core.filters",
    ):
        assert expected in modules
    assert not [m for m in modules if m.endswith((".SURVEYS", ".GRAINS", ".Filters"))]
    assert len(modules) == len(set(modules))


def test_the_warm_start_works_out_the_changes_panel_before_the_first_visit(app_db, monkeypatch):
    """On a warehouse large enough for the panel to be worked out off the page's run, serve's
    warm start queues it for everyone's scope, keyed as the overview asks for it, so the first
    visit finds it done; the same result the page would work out itself."""
    from dashboard.analytics.changes import data as changes
    from dashboard.core.filters import EVERYTHING
    from dashboard.ui import changes_panel, warm_up
    from tests.conftest import loaded
    from tests.golden_data import load_golden

    loaded(app_db, load_golden)
    monkeypatch.setattr(changes_panel, "BACKGROUND_FROM_DEALS", 0)  # golden data counts as large
    monkeypatch.setattr(changes_panel, "_jobs", {})
    warehouse.SharedConnection.get(app_db)
    warm_up.prepare(app_db)
    cur = warehouse.SharedConnection.cursor(app_db)
    key = (str(app_db), warehouse.data_version(cur), EVERYTHING)
    assert list(changes_panel._jobs) == [key]
    got = changes_panel._jobs[key].result(timeout=120)
    assert got["files"] == changes.changes_since(cur)["files"]
    cur.close()


def test_the_warm_start_resolves_the_module_paths_streamlit_first_asks_for(app_db, monkeypatch):
    """Streamlit's first element in a process calls inspect.stack() (is it a REPL?), which
    resolves the file of every imported module once; the warm start does it, so the first
    visit finds inspect's module-by-file table filled with the pages' modules."""
    import importlib
    import inspect

    from dashboard.analytics.health import report
    from dashboard.ui import warm_up

    monkeypatch.setattr(inspect, "modulesbyfile", {})
    monkeypatch.setattr(inspect, "_filesbymodname", {})
    calls, import_module, stack = [], importlib.import_module, inspect.stack
    monkeypatch.setattr(
        importlib, "import_module", lambda name: calls.append(name) or import_module(name)
    )
    monkeypatch.setattr(inspect, "stack", lambda: calls.append("stack") or stack())
    warm_up.prepare(app_db)
    assert inspect.getabsfile(report) in inspect.modulesbyfile
    # after every page module is imported: modules imported later would be resolved at the
    # first visit instead
    assert calls.count("stack") == 1 and calls[-1] == "stack"
    assert set(warm_up.page_modules()) <= set(calls[:-1])


def test_a_failed_warm_start_is_logged_and_the_server_still_starts(app_db, monkeypatch, caplog):
    """The panel's job cannot start (a broken file, say): one line in the log, no exception."""
    from dashboard.ui import changes_panel, warm_up

    def broken(*_args):
        raise OSError("disk gone")

    monkeypatch.setattr(changes_panel, "start_in_background", broken)
    warm_up.prepare(app_db)
    assert "warming up the server failed" in caplog.text


def test_the_bench_waits_for_the_server_to_settle_and_never_forever():
    """A process at rest settles at once; a busy one is waited for until the timeout only."""
    import subprocess
    import sys

    from dashboard.bench import on_server

    resting = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        on_server._settle(resting.pid, timeout=60)
        on_server._settle(busy.pid, timeout=1)  # returns after about a second, busy or not
    finally:
        resting.kill()
        busy.kill()
