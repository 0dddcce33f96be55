"""The import page's remap control and "what the data can answer" sections (issue 17)."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core import measures
from dashboard.core.filters import Filters
from dashboard.ingest import loader
from dashboard.store import warehouse
from dashboard.ui import import_panels as view
from tests.conftest import APP, loaded, page

HUBSPOT = (
    Path(__file__).parents[1]
    / "ingest"
    / "real_exports"
    / "hubspot-no-amount"
    / "hubspot-crm-exports-all-deals-2024-08-27.csv"
)


def load_without_created_at(con) -> None:
    inspection = loader.inspect(con, HUBSPOT, HUBSPOT.name, overrides={"created_at": ""})
    try:
        loader.commit(con, inspection, user="test")
    finally:
        loader.close(con, inspection)


@pytest.fixture
def hubspot_env(app_db):
    return loaded(app_db, load_without_created_at)


def texts(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_remap_a_load_from_the_page(hubspot_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(page("import.py")).run()
    assert not at.exception
    # After loading: what the data answers, with what to map.
    assert "no amount column was mapped; map one on the import page" in texts(at)
    remap = next(s for s in at.selectbox if s.key == "remap_load")
    remap.select(1).run()
    assert not at.exception
    assert "sales cycle — map a creation date column (Create Date looks like one)" in texts(at)
    # The grid's edit, as the data editor leaves it: created_at <- Create Date.
    at.session_state[view.REMAP_KEY].overrides = {"created_at": "Create Date"}
    at.run()
    next(b for b in at.button if b.label == "Load again with this mapping").click().run()
    assert not at.exception
    assert any("Remapped load 1 as load 2" in s.value for s in at.success)
    con = warehouse.connect(hubspot_env)
    try:
        cycle = measures.kpis(con, Filters())["median_sales_cycle_days"]
        assert cycle == pytest.approx(61 - 10 / 24)  # see tests/ingest/test_remap.py
    finally:
        con.close()


def test_remappable_loads_are_imports_in_effect():
    import pandas as pd

    history = pd.DataFrame(
        {
            "load": [3, 2, 1],
            "source": ["import", "import", "sample"],
            "undone": [None, pd.Timestamp("2025-01-01"), None],
        }
    )
    assert view.remappable(history) == [3]
