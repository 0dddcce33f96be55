"""Every query file and summary on PySpark (local mode) returns the rows DuckDB returns.

One SparkSession for the module (starting a JVM costs seconds). The sample at a small scale
is loaded into DuckDB, exported with export-parquet, and read back by the Spark engine; each
query then runs on both engines with the same bound parameters.

Rows are compared order-insensitively (row order is checked by the golden tests on DuckDB);
floats with a relative and absolute tolerance of 1e-9 (sums add up in another order on
Spark); every other value, dates and timestamps included, exactly. Run only these with
`pytest -m spark`.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.core import queries
from dashboard.core.filters import Filters
from dashboard.engines import parquet_export, spark_sql
from dashboard.engines import settings as engine
from dashboard.store import macros, sample, summaries, warehouse
from tests.core.test_queries import page_params

# The module's fixture starts a JVM and builds the summaries: allow more than the default.
pytestmark = [pytest.mark.spark, pytest.mark.timeout(900)]

SPARK_SCALE = 0.05
FLOAT_TOLERANCE = 1e-9
# Query files that may run on DuckDB only, each with the reason. Keep it empty.
DUCKDB_ONLY: dict[str, str] = {}

# Sidebar filters the parity runs use: none (the default page), and a period with a segment
# and region choice.
FILTER_SETS = {
    "all": Filters(),
    "filtered": Filters(
        date(2025, 1, 1), date(2025, 12, 31), ("SMB", "Enterprise"), ("EMEA", "North America")
    ),
}
# The owner filter means the deal owner for deals, the account owner for accounts: both paths.
OWNER_FILTERS = Filters(date(2024, 7, 1), None, (), (), ("Avery Brooks", "Hiro Tanaka"))
OWNER_CASES = (
    "deal_summary", "customer_summary", "survey_summary", "funnel_by_stage", "health_totals_all",
    "funnel_by_stage_and_month", "funnel_dropoff", "funnel_by_stage_from_cells",
    "funnel_by_stage_and_month_from_cells", "funnel_pipelines", "funnel_dropoff_from_stopped",
)  # fmt: skip
# The Team filter (owners table, loaded beside the sample below): the same two paths.
TEAM_FILTERS = Filters(teams=("East",))
# More page parameters than the sample tests use, so each CASE branch runs on Spark too.
EXTRA_PAGE_PARAMS = {
    "funnel_by_stage": [
        {"pipeline": "Sales Pipeline", "window_days": None, "dimension": None},
        {"pipeline": "Sales Pipeline", "window_days": 60, "dimension": "created_month"},
        {"pipeline": "Sales Pipeline", "window_days": None, "dimension": "segment"},
    ],
    "funnel_by_stage_and_month": [{"pipeline": "Sales Pipeline", "window_days": None}],
    "funnel_by_stage_from_cells": [
        {"pipeline": "Sales Pipeline", "dimension": None},
        {"pipeline": "Sales Pipeline", "dimension": "created_month"},
        {"pipeline": "Sales Pipeline", "dimension": "owner"},
        {"pipeline": "Sales Pipeline", "dimension": "region"},
    ],
    "funnel_dropoff": [
        {"pipeline": "Sales Pipeline", "window_days": 30, "step_number": 1, "row_limit": None},
        {"pipeline": "Sales Pipeline", "window_days": None, "step_number": 1, "row_limit": 50},
    ],
    "funnel_time_in_stage_default": [
        {
            "pipeline": "Sales Pipeline",
            "start_date": date(2025, 1, 1),
            "end_date": date(2025, 12, 31),
        },
    ],
    "funnel_dropoff_from_stopped": [
        {"pipeline": "Sales Pipeline", "step_number": 1, "row_limit": 50},
        {"pipeline": "Sales Pipeline", "step_number": 0, "row_limit": None},
        {"pipeline": "Sales Pipeline", "step_number": 3, "row_limit": None},
    ],
    "retention_by_cohort": [
        {"grain": "week", "basis": "first_won_deal", "as_of": date(2026, 10, 31)},
        {"grain": "quarter", "basis": "first_order", "as_of": date(2026, 6, 30)},
    ],
    "satisfaction_by_period": [{"grain": "month"}, {"grain": "quarter"}],
    "satisfaction_breakdown_periods": [{"dimension": "segment"}, {"dimension": "owner"}],
    "satisfaction_verbatims": [{"survey_type": None, "search": None, "limit": 50}],
    "health_accounts": [
        {"window_ends": [date(2025, 6, 30), date(2025, 12, 31)], "window_days": 90},
        {"window_ends": [date(2025, 11, 30), date(2025, 12, 31)], "window_days": 365},
    ],
    "health_totals": [
        {"window_ends": [date(2025, 11, 30), date(2025, 12, 31)], "window_days": 365},
    ],
    "health_totals_all": [
        {"window_ends": [date(2025, 6, 30), date(2025, 12, 31)], "window_days": 90},
    ],
}


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    """(DuckDB connection, Spark cursor) over the same small sample."""
    spark_engine = pytest.importorskip("dashboard.engines.spark")
    folder = tmp_path_factory.mktemp("spark")
    con = warehouse.connect(folder / "warehouse.duckdb")
    sample.load_sample(con, scale=SPARK_SCALE)
    _load_owners_and_products(con)
    parquet_export.export(con, folder / "parquet")
    cur = spark_engine.cursor(str(folder / "parquet"), "local[2]")
    yield con, cur
    con.close()


def _load_owners_and_products(con) -> None:
    """The sample has no teams or products file: every other owner of deals and accounts goes
    to team East, the rest to West; two products get a series."""
    names = [
        r[0]
        for r in con.execute(
            "select owner from deals where owner is not null union "
            "select owner from accounts where owner is not null order by 1"
        ).fetchall()
    ]
    teams = pd.DataFrame(
        {"owner": names, "team": [("East", "West")[i % 2] for i in range(len(names))]}
    )
    products = pd.DataFrame({"product": ["A", "B"], "series": ["S", "S"], "list_price": [1, 2]})
    warehouse.load_frames(
        con,
        {"owners": teams, "products": products},
        source="test",
    )


def cases() -> list[tuple[str, str, dict]]:
    """(query name, case label, parameters) for every query file."""
    out = []
    defaults = page_params()
    for name in queries.available():
        wanted = queries.parameters(name)
        extras = [defaults.get(name, {}), *EXTRA_PAGE_PARAMS.get(name, [])]
        for label, filters in FILTER_SETS.items():
            shared = {k: v for k, v in filters.params().items() if k in wanted}
            if not shared and label != "all":
                continue  # takes no filter: one run is enough
            for i, extra in enumerate(extras if label == "all" else extras[:1]):
                out.append((name, f"{label}-{i}", {**shared, **extra}))
        if name in OWNER_CASES:
            shared = {k: v for k, v in OWNER_FILTERS.params().items() if k in wanted}
            out.append((name, "owner", {**shared, **extras[0]}))
            shared = {k: v for k, v in TEAM_FILTERS.params().items() if k in wanted}
            out.append((name, "team", {**shared, **extras[0]}))
    return out


def normalised(value: object) -> object:
    if isinstance(value, np.ndarray):  # a list column (load_history's table_names)
        return tuple(normalised(v) for v in value)
    if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
        return None
    if hasattr(value, "item") and not isinstance(value, pd.Timestamp):
        value = value.item()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def sort_key(row: tuple) -> tuple:
    return tuple(
        (0, "") if v is None else (1, f"{v:.6g}") if isinstance(v, float) else (2, str(v))
        for v in row
    )


def rows_of(frame: pd.DataFrame) -> list[tuple]:
    rows = [tuple(map(normalised, r)) for r in frame.itertuples(index=False, name=None)]
    return sorted(rows, key=sort_key)


def assert_same_rows(expected: pd.DataFrame, actual: pd.DataFrame, what: str) -> None:
    assert list(actual.columns) == list(expected.columns), f"{what}: columns differ"
    want, got = rows_of(expected), rows_of(actual)
    assert len(got) == len(want), f"{what}: {len(got)} rows on Spark, {len(want)} on DuckDB"
    for n, (w, g) in enumerate(zip(want, got, strict=True)):
        for column, a, b in zip(expected.columns, w, g, strict=True):
            if isinstance(a, float) and isinstance(b, float):
                same = math.isclose(a, b, rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
            else:
                same = a == b
            assert same, f"{what}: row {n} column {column}: DuckDB {a!r}, Spark {b!r}"


@pytest.mark.parametrize(
    ("name", "label", "params"), cases(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_query_file_returns_the_same_rows_on_spark(engines, name, label, params):
    if name in DUCKDB_ONLY:
        pytest.skip(f"DuckDB-only: {DUCKDB_ONLY[name]}")
    con, cur = engines
    expected = queries.run(con.cursor(), name, params)
    actual = queries.run(cur, name, params)
    assert_same_rows(expected, actual, f"{name} [{label}]")


# served_* summaries are a page query's stored rows, read on DuckDB only: on Spark the query
# runs (its parity is the query file's test above).
@pytest.mark.parametrize("name", [n for n in summaries.available() if not summaries.is_served(n)])
def test_summary_is_the_same_on_spark(engines, name):
    """Same rows. Column order may differ (`t.*` after a USING join puts the key first on
    Spark); queries select summary columns by name, so only the set of names must match."""
    con, cur = engines
    sql = f"select * from summary_{name}"  # noqa: S608 - names come from this repository
    expected, actual = con.execute(sql).df(), cur.execute(sql).df()
    assert sorted(actual.columns) == sorted(expected.columns)
    assert_same_rows(expected, actual[list(expected.columns)], f"summary_{name}")


def test_every_query_file_is_covered_and_the_duckdb_only_list_is_empty():
    covered = {name for name, _, _ in cases()}
    assert covered == set(queries.available())
    assert set(DUCKDB_ONLY) <= set(queries.available())
    assert DUCKDB_ONLY == {}, "a query that cannot run on Spark needs a portable rewrite"


def test_the_sample_is_not_trivial_at_this_scale(engines):
    """Parity on empty tables would prove nothing."""
    con, _ = engines
    for table in warehouse.CANONICAL_TABLES:
        assert warehouse.scalar(con, f'select count(*) from "{table}"') > 0, table  # noqa: S608


def test_the_team_case_keeps_some_deals_not_all(engines):
    """The team parity cases compare a real slice: East holds some deals, not every one."""
    con, _ = engines
    params = {**Filters().params()}
    everyone = queries.run_one(con, "deal_summary", params)["deals_total"]
    east = queries.run_one(con, "deal_summary", TEAM_FILTERS.params())["deals_total"]
    assert 0 < east < everyone


def test_hostile_filter_values_are_bound_not_pasted(engines):
    _, cur = engines
    hostile = Filters(segments=("' OR 1=1--", ":segments", "x\\' or true --"), owners=("'; x",))
    assert queries.run_one(cur, "deal_summary", hostile.params())["deals_total"] == 0
    assert queries.run_one(cur, "deal_summary", Filters().params())["deals_total"] > 0


def test_an_empty_list_means_nothing_on_both_engines(engines):
    """The row-level scope binds [] for "no segment granted": it must match no row."""
    con, cur = engines
    params = {**Filters().params(), "segments": []}
    assert queries.run_one(con.cursor(), "deal_summary", params)["deals_total"] == 0
    assert queries.run_one(cur, "deal_summary", params)["deals_total"] == 0


def test_frames_have_the_dtypes_duckdb_gives(engines):
    """Pages format what they get: a date must not turn into text or a count into a float."""
    con, cur = engines
    params = Filters().params()
    for name in ("closed_deals_by_month", "deal_summary", "competitor_summary"):
        expected = queries.run(con.cursor(), name, params).dtypes
        actual = queries.run(cur, name, params).dtypes
        assert actual.astype(str).to_dict() == expected.astype(str).to_dict(), name


def test_cursor_reports_the_export_data_version(engines):
    con, cur = engines
    assert cur.data_version() == warehouse.data_version(con)
    assert cur.source().startswith(str(Path(cur.source().split("#")[0])))


# ------------------------------------------------------------ translation, no JVM needed


def test_macros_are_expanded_and_parameters_stay_markers():
    text = spark_sql.to_spark(queries.sql_text("deal_summary"))
    for macro in spark_sql.macros():
        assert f"{macro.upper()}(" not in text.upper(), macro
    assert ":segments" in text and ":start_date" in text and "$" not in text


def test_macros_come_from_the_macro_files():
    assert {"in_period", "deals_in_scope", "accounts_in_scope", "account_in_scope"} <= set(
        spark_sql.macros()
    )
    assert spark_sql.macros()["deals_in_scope"].is_table
    assert not spark_sql.macros()["in_period"].is_table


def test_every_macro_of_queries_macros_is_known_to_the_translation():
    defined = {name for path in macros.files() for name in macros.defined_in(path)}
    assert set(spark_sql.macros()) == defined


def test_a_date_part_bound_as_a_parameter_becomes_a_case():
    text = spark_sql.to_spark("select date_diff($grain, a, b) as n from t")
    assert "WHEN 'month' THEN DATEDIFF(MONTH, a, b)" in text
    assert ":grain" in text


def test_ordered_first_becomes_a_sorted_collect():
    text = spark_sql.to_spark("select first(x order by k desc, j) as v from t")
    assert "ARRAY_SORT(COLLECT_LIST" in text and "FIRST(" not in text


def test_a_materialization_hint_is_dropped():
    # DuckDB reads `as not materialized`; Spark has no such syntax (it plans its own).
    text = spark_sql.to_spark("with a as not materialized (select 1 as x) select * from a, a b")
    assert "MATERIALIZED" not in text.upper() and text.startswith("WITH a AS (SELECT 1")


def test_infinite_timestamps_become_the_first_and_last_instants():
    text = spark_sql.to_spark("select coalesce(a, '-infinity') < coalesce(b, 'infinity') from t")
    assert "'0001-01-01 00:00:00'" in text and "'9999-12-31 23:59:59.999999'" in text


def test_unnest_inside_an_expression_is_refused_with_a_hint():
    with pytest.raises(spark_sql.TranslationError, match="unnest in a CTE first"):
        spark_sql.to_spark("select trim(unnest(string_split(x, ';'))) from t")


def test_unknown_engine_is_one_clear_sentence(monkeypatch):
    monkeypatch.setenv(engine.ENGINE_ENV, "oracle")
    with pytest.raises(engine.EngineError, match="not an engine; use one of: duckdb, spark"):
        engine.name()
