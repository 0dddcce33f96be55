"""AppTest of every page on deals with inputs never mapped (issue 17, point 6): no "$0", no
empty axes; each part says what to map or load. The rows are tests/analytics/
test_no_data_pages.py's four deals, without amount and without any other table."""

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.store import warehouse
from tests.analytics.test_no_data_pages import STAGES, deals
from tests.conftest import APP, loaded, page


@pytest.fixture
def no_amount_env(app_db):
    def load(con):
        tables = {"pipeline_stages": STAGES, "deals": deals("amount")}
        warehouse.load_frames(con, tables, source="test")

    return loaded(app_db, load)


def open_page(name: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["period"] = "all"
    at.run()
    at.switch_page(page(name)).run()
    assert not at.exception, at.exception
    return at


def said(at: AppTest) -> str:
    """Every sentence the page shows: captions, info boxes, warnings, markdown."""
    parts = [*at.caption, *at.info, *at.warning, *at.markdown]
    return " ".join(str(p.value) for p in parts)


def test_every_page_says_what_to_map_instead_of_zero(no_amount_env):
    at = open_page("funnel.py")
    text = said(at)
    assert "No amounts per stage: no amount column was mapped" in text
    assert "No days in each stage: no file gives a stage history" in text
    assert "$0" not in text
    assert len(at.get("plotly_chart")) >= 2  # the funnel and the sales cycle (D1: 10 days)
    labels = at.get("plotly_chart")[0].proto.spec.split('"text"')[1].split("]")[0]
    assert "$" not in labels and "\\u00b7 \\u2014" not in labels and "· —" not in labels

    at = open_page("overview.py")
    assert "The trend below shows the win rate only, no won amount" in said(at)

    at = open_page("competitors.py")
    assert "No win rate per competitor: no competitor column on deals was mapped" in said(at)
    assert {m.value for m in at.metric} == {"—"}  # not "0.0%" recorded

    at = open_page("satisfaction.py")
    text = said(at)
    assert (
        "No NPS, CSAT and CES trend: no file gives surveys (score, date); load one on the "
        "import page" in text
    )
    assert {m.value for m in at.metric} == {"—"}

    at = open_page("retention.py")
    assert "No customer cohorts: no file gives orders (customer, date, amount)" in said(at)
    assert len(at.get("plotly_chart")) == 0

    at = open_page("health.py")
    assert "No part has data whatever the filters: no file gives accounts" in said(at)
    assert len(at.get("plotly_chart")) == 0
