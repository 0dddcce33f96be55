"""The sidebar's Team filter under AppTest: offered only with an owners table, mirrored in the
URL as team=, and narrowing the tiles to the team's owners' deals."""

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.store import warehouse
from tests.conftest import APP, frame, loaded
from tests.golden_data import load_golden

OWNERS = frame("owner team", [("Ann", "East"), ("Bob", "West")])


def _golden_with_teams(con) -> None:
    load_golden(con)
    warehouse.load_frames(con, {"owners": OWNERS}, source="test")


@pytest.fixture
def teams_env(app_db):
    return loaded(app_db, _golden_with_teams)


def _won_amount(at: AppTest) -> str:
    return {m.label: m.value for m in at.metric}["Won amount"]


def test_no_team_filter_without_an_owners_table(app_db):
    loaded(app_db, load_golden)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["period"] = "all"
    at.run()
    assert not at.exception
    assert "f_teams" not in [w.key for w in at.sidebar.multiselect]


def test_choosing_a_team_narrows_the_tiles_and_the_url(teams_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["period"] = "all"
    at.run()
    assert not at.exception
    team = at.sidebar.multiselect(key="f_teams")
    assert team.options == ["East", "West"]
    assert _won_amount(at) == "$4.8K"  # all wins: D1 1,000 + D3 3,000 + D5 700 + D7 100
    team.select("East").run()
    assert _won_amount(at) == "$1.8K"  # Ann's (East) wins: D1 1,000 + D5 700 + D7 100
    value = at.query_params.get("team", [])
    assert ([value] if isinstance(value, str) else list(value)) == ["East"]


def test_a_shared_link_with_team_seeds_the_filter(teams_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["period"] = "all"
    at.query_params["team"] = ["West", "Nowhere"]  # a stale value is dropped, not an error
    at.run()
    assert not at.exception
    assert at.sidebar.multiselect(key="f_teams").value == ["West"]
    assert _won_amount(at) == "$3.0K"  # Bob's (West) win: D3 3,000
