"""The query loader's contract, and every query file on the sample data."""

import importlib
import re
from pathlib import Path

import pytest

from dashboard.core import queries
from dashboard.core.filters import Filters


def test_missing_parameter_is_refused(con):
    params = Filters().params()
    del params["owners"]
    with pytest.raises(queries.QueryError, match="missing owners"):
        queries.run(con, "deal_summary", params)


def test_extra_parameter_is_refused(con):
    with pytest.raises(queries.QueryError, match="unexpected evil"):
        queries.run(con, "deal_summary", {**Filters().params(), "evil": "1"})


@pytest.mark.parametrize("name", ["nope", "../warehouse", "deal_summary.sql", "Deal_Summary", ""])
def test_unknown_or_path_like_names_are_refused(con, name):
    with pytest.raises(queries.QueryError, match="no query named"):
        queries.run(con, name, {})


def test_parameters_ignore_comments_and_strings():
    sql = "-- uses $commented\nselect '$quoted' as a, $real as b, 'it''s $x' as c"
    assert queries.parameters_of(sql) == {"real"}


@pytest.mark.parametrize("name", queries.available())
def test_header_states_grain_and_parameters(name):
    """Each file opens with a comment naming its grain and every parameter it takes."""
    text = queries.sql_text(name)
    header = "\n".join(line for line in text.splitlines() if line.startswith("--"))
    assert re.match(r"-- One row", header), f"{name}: first line should state the grain"
    documented = set(re.findall(r"\$([a-z_]+)", header))
    assert documented == set(queries.parameters(name))


def page_params() -> dict[str, dict]:
    """Page parameters for query files, from SAMPLE_PAGE_PARAMS in each page's test module."""
    found: dict[str, dict] = {}
    for path in sorted(Path(__file__).parents[1].rglob("test_*.py")):
        if "SAMPLE_PAGE_PARAMS" in path.read_text():
            dotted = ".".join(path.relative_to(Path(__file__).parents[2]).with_suffix("").parts)
            module = importlib.import_module(dotted)
            found.update(getattr(module, "SAMPLE_PAGE_PARAMS", {}))
    return found


@pytest.mark.parametrize("name", queries.available())
def test_every_query_runs_on_the_sample(sample_con, name):
    """Every query file runs on the sample with its default filters (a broken file fails CI).
    Files with page parameters list sample values in their test module's SAMPLE_PAGE_PARAMS."""
    extra = page_params().get(name, {})
    params = {k: v for k, v in Filters().params().items() if k in queries.parameters(name)}
    params.update(extra)
    missing = queries.parameters(name) - set(params)
    assert not missing, f"{name}: add sample values for {sorted(missing)} to SAMPLE_PAGE_PARAMS"
    frame = queries.run(sample_con.cursor(), name, params)
    assert len(frame) > 0


def test_hostile_filter_values_are_data_not_sql(sample_con):
    hostile = Filters(
        segments=("' OR 1=1--", "$segments", "x\u202e"), owners=("'; drop table deals;--",)
    )
    row = queries.run_one(sample_con.cursor(), "deal_summary", hostile.params())
    assert row["deals_total"] == 0  # no such segment: nothing matches, nothing breaks
    assert (
        queries.run_one(sample_con.cursor(), "deal_summary", Filters().params())["deals_total"] > 0
    )


def test_an_apostrophe_in_a_comment_hides_nothing():
    sql = "-- the pipeline's stages\nselect $pipeline as p, '--not a comment' as q, $window as w"
    assert queries.parameters_of(sql) == {"pipeline", "window"}
