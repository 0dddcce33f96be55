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


def test_serve_skips_the_full_garbage_collection_after_each_run(monkeypatch, tmp_path):
    db = tmp_path / "w.duckdb"
    warehouse.connect(db).close()
    seen = {}
    monkeypatch.setattr(cli.os, "execvpe", lambda program, command, env: seen.update(c=command))
    assert cli.main(["serve", "--db", str(db)]) == 0
    assert seen["c"][seen["c"].index("--runner.postScriptGC") + 1] == "false"


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
