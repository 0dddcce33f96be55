"""Issue 21, point 8: health-config mistakes that raised (TypeError, UnicodeDecodeError, an
unhashable list) are one sentence each, naming the file, the key and what to write; the page
shows them to every user and falls back to the built-in presets; `kpis` prints them and exits 2."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import cli
from dashboard.analytics.health import config
from tests.conftest import APP, loaded, page
from tests.golden_data import load_golden

METRIC = '{ metric = "win_rate", floor = 10, target = 40 }'
PART = '{ name = "P%d", metrics = [' + METRIC + "] }"


def preset(parts: list[str], extra: str = "") -> str:
    return '[presets.mine]\nlabel = "Mine"\n' + extra + "parts = [\n" + ",\n".join(parts) + "\n]\n"


FOUR = [PART % i for i in range(4)]
MISTAKES = {
    # `metrics = 5` was "TypeError: 'int' object is not iterable"
    "metrics = 5": (
        preset([*FOUR[:3], '{ name = "P3", metrics = 5 }']),
        "preset 'mine' part P3: metrics must be a list of tables, e.g. metrics = "
        '[{ metric = "nps", weight = 1, floor = 0, target = 50 }], got 5',
    ),
    # `name = ["x"]` was "TypeError: unhashable type: 'list'" further on
    'name = ["x"]': (
        preset([*FOUR[:3], '{ name = ["x"], metrics = [' + METRIC + "] }"]),
        "preset 'mine' part 4: name must be text in quotes, e.g. name = \"Customer\", got ['x']",
    ),
    'metric = ["nps"]': (
        preset(
            [*FOUR[:3], '{ name = "P3", metrics = [{ metric = ["nps"], floor = 0, target = 1 }] }']
        ),  # fmt: skip
        "preset 'mine' part P3: unknown metric ['nps'] (known metrics: ",
    ),
    "label = 5": (
        preset(FOUR).replace('label = "Mine"', "label = 5"),
        "preset 'mine': label must be text in quotes, e.g. label = \"Customer\", got 5",
    ),
    "parts = 5": (
        "[presets.mine]\nparts = 5\n",
        "preset 'mine': parts must be a list of four tables, got 5",
    ),
    "mine = 5": ("[presets]\nmine = 5\n", "preset 'mine': must be a table, [presets.mine] with"),
    "part = 5": (
        preset([*FOUR[:3], "5"]),
        "preset 'mine' part 4: must be a table like { name = \"Customer\", metrics = [...] }",
    ),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_each_type_mistake_is_one_sentence_not_a_python_error(tmp_path, mistake):
    body, sentence = MISTAKES[mistake]
    path = tmp_path / "health.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(config.HealthConfigError) as error:
        config.load(path)
    assert error.value.source == str(path)
    assert any(p.startswith(sentence) for p in error.value.problems), error.value.problems


def test_a_file_that_is_not_utf8_is_named_with_what_to_do(tmp_path):
    path = tmp_path / "health.toml"
    path.write_bytes('[presets.x]\nlabel = "café"\n'.encode("latin-1"))  # é is byte 0xE9
    with pytest.raises(config.HealthConfigError) as error:
        config.load(path)
    # '[presets.x]\n' is 12 bytes, 'label = "caf' 12 more: the é is byte 25
    assert error.value.problems == [
        "not UTF-8 text (byte 25 cannot be read); save the file as UTF-8"
    ]


def test_kpis_prints_one_line_per_mistake_and_no_traceback(tmp_path, monkeypatch, capsys):
    path = tmp_path / "health.toml"
    path.write_text(MISTAKES["metrics = 5"][0], encoding="utf-8")
    monkeypatch.setenv(config.ENV_VAR, str(path))
    db = loaded(tmp_path / "w.duckdb", load_golden)
    assert cli.main(["kpis", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"crm-dashboard kpis: the health config {path} has problems:",
        "- " + MISTAKES["metrics = 5"][1],
    ]
    assert "Traceback" not in err and "TypeError" not in err


def test_the_page_says_so_to_every_user_and_falls_back_to_the_built_in_presets(
    app_db, tmp_path, monkeypatch
):
    loaded(app_db, load_golden)
    path = tmp_path / "health.toml"
    path.write_text(MISTAKES['name = ["x"]'][0], encoding="utf-8")
    monkeypatch.setenv(config.ENV_VAR, str(path))
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page(page("health.py")).run()
    assert not at.exception
    (warning,) = at.warning
    assert f"The health config `{path}` has problems, so the built-in presets are shown" in (
        warning.value
    )
    assert MISTAKES['name = ["x"]'][1] in warning.value
    assert at.title[0].value == "Four-C health"
    assert at.selectbox(key="health_preset").options == [
        p.label + ": " + p.description for p in config.shipped().values()
    ]
    assert len(at.metric) == 5  # the built-in default preset scores: overall and four parts
