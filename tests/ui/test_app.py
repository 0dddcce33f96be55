"""AppTest of the overview through the real entry script (sidebar + navigation)."""

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.store import warehouse
from tests.conftest import APP, loaded, page
from tests.golden_data import load_golden


@pytest.fixture
def golden_env(app_db):
    return loaded(app_db, load_golden)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def url_values(at: AppTest, key: str) -> list[str]:
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def test_overview_tiles_follow_the_url_period(golden_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["from"] = "2025-01-01"
    at.query_params["to"] = "2025-03-31"
    at.run()
    assert not at.exception
    shown = metrics(at)
    # Hand-worked in test_queries_golden for Q1 2025.
    assert shown["Won amount"] == "$4.0K"  # D1 1,000 + D3 3,000; one decimal at every step
    assert shown["Win rate"] == "66.7%"  # 2 won, 1 lost
    assert shown["Open pipeline"] == "$2.7K"  # D4 + D5 open on 31 Mar
    assert shown["Median sales cycle"] == "46 days"  # 45.5 rounded
    assert shown["New customers"] == "2"
    assert shown["NPS"] == "0" and shown["CSAT"] == "50.0%"
    assert at.sidebar.selectbox(key="f_preset").value == "Custom range"
    assert "1 closed deals have no close date" in " ".join(c.value for c in at.caption)


def test_changing_a_filter_changes_numbers_and_url(golden_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["period"] = "all"
    at.run()
    assert metrics(at)["Won amount"] == "$4.8K"  # all time: 1000 + 3000 + 700 + 100
    at.sidebar.multiselect(key="f_segments").select("Enterprise").run()
    assert metrics(at)["Won amount"] == "$1.7K"  # A1's wins: D1 1,000 + D5 700
    assert url_values(at, "segment") == ["Enterprise"]
    assert url_values(at, "period") == ["all"]


def test_first_start_on_an_empty_database_loads_the_sample_and_says_so(app_db):
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    assert any("sample data" in i.value for i in at.info)
    assert len(at.metric) == 7
    assert at.sidebar.selectbox(key="f_preset").value == "Last 12 months"
    assert url_values(at, "from") and url_values(at, "to")


def con_rows(path) -> int:
    """Rows the golden load holds, over every canonical table (what undoing it removes)."""
    con = warehouse.connect(path)
    try:
        return sum(
            con.execute(f'select count(*) from "{t}" where load_id = 1').fetchall()[0][0]  # noqa: S608 - constant names
            for t in warehouse.CANONICAL_TABLES
        )
    finally:
        con.close()


def test_import_page_lists_loads_and_undoes_one(golden_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(page("import.py")).run()
    assert not at.exception
    assert at.title[0].value == "Import your CRM data"
    history = at.table[0].value  # a short history is drawn static, so its cells wrap
    # Headers for people (issue 19): "Load", "Source", not the frame's lower-case names.
    assert history["Load"].tolist() == [1] and history["Source"].tolist() == ["test"]
    undo = next(s for s in at.selectbox if s.label == "Undo a load")
    assert undo.options[0].startswith("1 · test · ")  # named, not a bare number
    undo.select(1).run()
    assert not any(b.label == "Undo load 1" for b in at.button)  # it asks first
    rows = con_rows(golden_env)
    assert at.warning[0].value.startswith(f"Undo load 1 (test)? Its {rows:,} rows are removed")
    next(b for b in at.button if b.label == "Yes, undo load 1").click().run()
    assert not at.exception
    assert at.success[0].value == f"Undid load 1 (test): {rows:,} rows removed, 0 restored."
    assert at.table[0].value["State"].tolist() == ["undone"]
    assert "No dated data loaded" in at.sidebar.caption[-1].value  # not today's date
    con = warehouse.connect(golden_env)
    assert con.execute("select count(*) from deals").fetchall() == [(0,)]
    assert con.execute("select undone_at is not null from loads").fetchall() == [(True,)]
