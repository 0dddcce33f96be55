"""The funnel page's default view for less (issue 18), with the same figures:

- funnel_by_stage_and_month.sql gives the steps and the monthly trend from one scan: its view
  'all' must be funnel_by_stage.sql with no dimension and its view 'month' funnel_by_stage.sql by
  created_month, frame for frame (columns, dtypes, rows, order);
- funnel_dropoff.sql lists its first rows with a top-N instead of numbering every row: it must
  give the rows of its previous text (tests/core/previous_queries/funnel_dropoff.sql), EXCEPT
  ALL both ways and in the same order;
- funnel_time_in_stage.sql sums count_ever_measured from summary_funnel_step_measured instead
  of counting every measured step: the rows of its previous text (previous_queries), exactly;
- the pipeline picker and the deals in no pipeline come from one run of funnel_pipelines.sql,
  which counts the cells of summary_funnel_stage_reached_by_day instead of every deal's rows:
  the rows of its previous text (previous_queries), exactly;
- funnel_sales_cycle.sql reads summary_funnel_won_cycles (sorted by close date) instead of
  the step-1 rows among every step's: the rows of its previous text (previous_queries);
- with no conversion window, funnel_dropoff_from_stopped.sql reads the deals that stopped in
  the list's order (summary_funnel_stopped, summary_funnel_stopped_shown): the rows of
  funnel_dropoff.sql's previous text, EXCEPT ALL both ways and in the same order;
- with no conversion window, funnel_by_stage_and_month_from_cells.sql and
  funnel_by_stage_from_cells.sql (no dimension, segment, region, owner, created_month) read
  those cells: they must be funnel_by_stage_and_month.sql and funnel_by_stage.sql, frame for
  frame.

On the hand-made company of test_funnel.py (with a teams file: Ann East, Bob West), on it with
test_funnel_summary.py's edge cases (an account loaded twice, deals on unknown or no accounts,
no creation date, history before creation) and on the sample, for all time, a period, a
segment, a region, an owner, a team, a team's grant and an empty grant, every pipeline, with
and without a conversion window."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from dashboard.analytics.funnel import data as funnel
from dashboard.core import periods, queries
from dashboard.core.filters import EVERYTHING, NOTHING, Filters, Scope
from dashboard.store import warehouse
from tests.analytics.funnel.test_funnel import Q1, SALES, load_funnel_company
from tests.analytics.funnel.test_funnel_summary import load_edge_cases
from tests.conftest import frame

PREVIOUS = Path(__file__).parents[2] / "core" / "previous_queries"
OWNERS = frame("owner team", [("Ann", "East"), ("Bob", "West")])


@pytest.fixture
def company(con):
    load_funnel_company(con)
    warehouse.load_frames(con, {"owners": OWNERS}, source="test")
    return con


def views(period: Filters, segment: str, region: str, owner: str) -> list[Filters]:
    return [
        Filters(),
        period,
        replace(period, segments=(segment,)),
        replace(period, regions=(region,)),
        Filters(segments=(segment,), regions=(region,)),
        replace(period, owners=(owner,)),
        replace(period, teams=("East",)),
        replace(period, scope=Scope(teams=("East",))),
        replace(period, scope=NOTHING),  # granted nothing
        Filters(scope=Scope(segments=())),
    ]


def by_stage(cur, filters: Filters, pipeline: str, window_days, dimension) -> pd.DataFrame:
    params = {**filters.params(), "pipeline": pipeline, "window_days": window_days}
    return queries.run(cur, "funnel_by_stage", {**params, "dimension": dimension})


def both_views(cur, filters: Filters, pipeline: str, window_days) -> dict[str, pd.DataFrame]:
    params = {**filters.params(), "pipeline": pipeline, "window_days": window_days}
    rows = queries.run(cur, "funnel_by_stage_and_month", params)
    return {
        view: rows[rows["view"] == view].drop(columns="view").reset_index(drop=True)
        for view in ("all", "month")
    }


def previous(cur, name: str, params: dict) -> pd.DataFrame:
    sql = (PREVIOUS / f"{name}.sql").read_text(encoding="utf-8")
    return cur.execute(sql, params).df()


def except_all_both_ways(cur, before: pd.DataFrame, now: pd.DataFrame) -> tuple[int, int]:
    cur.register("before_rows", before)
    cur.register("now_rows", now)
    try:
        only = "select count(*) from (from {} except all from {})"
        return (
            cur.execute(only.format("before_rows", "now_rows")).fetchall()[0][0],
            cur.execute(only.format("now_rows", "before_rows")).fetchall()[0][0],
        )
    finally:
        cur.unregister("before_rows")
        cur.unregister("now_rows")


def assert_cells_identical(cur, filters: Filters, pipeline: str) -> int:
    """With no window, the queries reading summary_funnel_stage_reached_by_day against those
    reading every deal's rows (still run with a window): frame for frame; returns how many of
    the compared frames had rows."""
    with_rows = 0
    params = {**filters.params(), "pipeline": pipeline}
    rows = queries.run(cur, "funnel_by_stage_and_month", {**params, "window_days": None})
    cells = queries.run(cur, "funnel_by_stage_and_month_from_cells", params)
    pd.testing.assert_frame_equal(cells, rows, check_exact=True)
    with_rows += len(rows) > 0
    for dimension in funnel.CELL_DIMENSIONS:
        rows = by_stage(cur, filters, pipeline, None, dimension)
        cells = queries.run(cur, "funnel_by_stage_from_cells", {**params, "dimension": dimension})
        pd.testing.assert_frame_equal(cells, rows, check_exact=True)
        with_rows += len(rows) > 0
    return with_rows


def assert_identical(cur, filters: Filters) -> int:
    """Every pipeline, window and drop-off step: new text against previous; returns how many
    of the compared frames had rows."""
    with_rows = 0
    before = previous(cur, "funnel_pipelines", filters.params())
    after = queries.run(cur, "funnel_pipelines", filters.params())
    pd.testing.assert_frame_equal(after, before, check_exact=True)
    with_rows += len(before) > 0
    steps = cur.execute(
        "select pipeline, max(step_number) from summary_funnel_pipeline_steps group by 1"
    ).fetchall()
    for pipeline, last_step in steps:
        params = {**filters.params(), "pipeline": pipeline}
        before = previous(cur, "funnel_time_in_stage", params)
        after = queries.run(cur, "funnel_time_in_stage", params)
        pd.testing.assert_frame_equal(after, before, check_exact=True)
        with_rows += int(before["count_ever_measured"].sum() > 0)
        before = previous(cur, "funnel_sales_cycle", params)
        after = queries.run(cur, "funnel_sales_cycle", params)
        pd.testing.assert_frame_equal(after, before, check_exact=True)
        with_rows += len(before) > 0
        with_rows += assert_cells_identical(cur, filters, pipeline)
        for window in (None, 30):
            now = both_views(cur, filters, pipeline, window)
            for view, dimension in (("all", None), ("month", "created_month")):
                before = by_stage(cur, filters, pipeline, window, dimension)
                pd.testing.assert_frame_equal(now[view], before, check_exact=True)
                with_rows += len(before) > 0
            for step in range(last_step + 1):
                for limit in (None, 2) if step <= 1 else (None,):  # a page's rows
                    params = {
                        **filters.params(),
                        "pipeline": pipeline,
                        "window_days": window,
                        "step_number": step,
                        "row_limit": limit,
                    }
                    before = previous(cur, "funnel_dropoff", params)
                    after = queries.run(cur, "funnel_dropoff", params)
                    assert except_all_both_ways(cur, before, after) == (0, 0), params
                    pd.testing.assert_frame_equal(after, before, check_exact=True)
                    with_rows += len(before) > 0
                    if window is None:  # the list of no window from summary_funnel_stopped
                        del params["window_days"]
                        after = queries.run(cur, "funnel_dropoff_from_stopped", params)
                        assert except_all_both_ways(cur, before, after) == (0, 0), params
                        pd.testing.assert_frame_equal(after, before, check_exact=True)
    return with_rows


def test_steps_and_trend_by_hand(company):
    # Sales deals created in Q1: S1..S7 (S8 was created in Dec 2024). Furthest step: S1 5, S2 5,
    # S3 3, S4 1, S5 2, S6 4 (C skipped: implied), S7 3. Reached per step: 7, 6, 5, 3, 2;
    # amounts (S1..S7 = 100..700): 2800, 2800 - 400 (S4) = 2400, 100+200+300+600+700 = 1900,
    # 100+200+600 = 900, 100+200 = 300.
    # January (S1..S5): 5, 4 (all but S4), 3 (S1 S2 S3), 2 (S1 S2), 2; won S1 S2, lost S4 S5;
    # S4 is lost with no history and a current stage that is no step: last stage unknown.
    # February (S6, S7): 2, 2, 2, 1 (S6), 0; none won or lost.
    got = both_views(company, Q1, SALES, None)
    assert got["all"]["group_value"].unique().tolist() == ["All deals"]
    assert got["all"]["count_reached"].tolist() == [7, 6, 5, 3, 2]
    assert got["all"]["amount_reached"].tolist() == [2800, 2400, 1900, 900, 300]
    month = got["month"].set_index(["group_value", "step_number"])["count_reached"]
    assert month["2025-01-01"].tolist() == [5, 4, 3, 2, 2]
    assert month["2025-02-01"].tolist() == [2, 2, 2, 1, 0]
    totals = got["month"].drop_duplicates("group_value")
    assert totals[["count_won", "count_lost", "count_stop_unknown"]].values.tolist() == [
        [2, 2, 1],
        [0, 0, 0],
    ]
    # Through the data function: the steps and the trend the page draws.
    both = funnel.steps_and_trend(company, Q1, SALES)
    pd.testing.assert_frame_equal(both.steps, funnel.funnel_steps(company, Q1, SALES))
    pd.testing.assert_frame_equal(both.trend, funnel.trend(company, Q1, SALES))


def test_pipeline_picker_is_both_earlier_answers_from_one_run(company):
    # Q1: Sales has 7 deals, Renewal 1 (R1); S9 is in no pipeline with a stage order.
    picker = funnel.pipeline_picker(company, Q1)
    assert picker.options["pipeline"].tolist() == ["Sales", "Renewal"]
    assert picker.options["count_deals"].tolist() == [7, 1]
    assert picker.unplaced == 1
    for filters in views(Q1, "SMB", "EMEA", "Bob"):
        frame_ = queries.run(company, "funnel_pipelines", filters.params())
        placed = frame_[frame_["pipeline"].notna() & (frame_["count_steps"] > 0)]
        unplaced = frame_[frame_["pipeline"].isna() | (frame_["count_steps"] == 0)]
        picker = funnel.pipeline_picker(company, filters)
        pd.testing.assert_frame_equal(picker.options, placed.reset_index(drop=True))
        assert picker.unplaced == int(unplaced["count_deals"].sum()), filters


def test_new_texts_give_the_previous_rows_on_hand_made_rows(company):
    with_rows = 0
    for filters in views(Q1, "SMB", "EMEA", "Bob"):
        with_rows += assert_identical(company, filters)
    assert with_rows > 40  # not a comparison of empty frames


def test_new_texts_give_the_previous_rows_on_edge_cases(company):
    load_edge_cases(company)
    with_rows = 0
    for filters in views(Q1, "SMB", "EMEA", "Cy"):
        with_rows += assert_identical(company, filters)
    assert with_rows > 40


@pytest.mark.parametrize("index", range(10))
def test_new_texts_give_the_previous_rows_on_the_sample(sample_con, index):
    """One view per test (each runs some 80 queries)."""
    cur = sample_con.cursor()
    owner = cur.execute("select owner from deals group by 1 order by count(*) desc, 1").fetchall()
    last = cur.execute("select last_date from summary_data_dates").fetchall()[0][0]
    year = Filters(date(last.year - 1, last.month, 1), last)
    cur.execute("begin")  # a teams file for the team filters, rolled back
    try:
        cur.execute(
            "insert into owners (owner, team, load_id) "
            "select owner, case when hash(owner) % 2 = 0 then 'East' else 'West' end, 0 "
            "from (select distinct owner from deals where owner is not null)"
        )
        filters = views(year, "SMB", "EMEA", owner[0][0])[index]
        with_rows = assert_identical(cur, filters)
        assert with_rows > 10 or filters.scope != EVERYTHING  # a grant of nothing: no rows
    finally:
        cur.execute("rollback")


def assert_time_in_stage_default_is_its_summary(cur) -> None:
    """The default view (the last 12 months of data, no filter, no grant, the pipeline the page
    opens on) from summary_view_funnel_time_in_stage: funnel_time_in_stage's rows, exactly;
    any other view gets no row from it (the page then runs funnel_time_in_stage)."""
    last = cur.execute("select last_date from summary_data_dates").fetchall()[0][0]
    default = Filters(*periods.preset_range(periods.DEFAULT_PRESET, last))
    pipeline = funnel.default_pipeline(cur, default)
    params = {**default.params(), "pipeline": pipeline}
    stored = queries.run(cur, "funnel_time_in_stage_default", params)
    assert len(stored) > 0
    live = queries.run(cur, "funnel_time_in_stage", params)
    pd.testing.assert_frame_equal(stored, live, check_exact=True)
    pd.testing.assert_frame_equal(funnel.time_in_stage(cur, default, pipeline), live)
    others = [
        replace(default, segments=("SMB",)),
        replace(default, owners=("Ann",)),
        replace(default, teams=("East",)),
        replace(default, scope=Scope(segments=("SMB",))),
        replace(default, scope=NOTHING),
        replace(default, start_date=default.start_date + timedelta(days=1)),
        Filters(),
    ]
    for filters in others:
        other = {**filters.params(), "pipeline": pipeline}
        assert queries.run(cur, "funnel_time_in_stage_default", other).empty, filters
    steps = "select distinct pipeline from summary_funnel_pipeline_steps where pipeline <> $p"
    for (name,) in cur.execute(steps, {"p": pipeline}).fetchall():
        other = {**default.params(), "pipeline": name}
        assert queries.run(cur, "funnel_time_in_stage_default", other).empty, name


def test_time_in_stage_default_view_is_its_summary_on_hand_made_rows(company):
    assert_time_in_stage_default_is_its_summary(company)
    load_edge_cases(company)
    assert_time_in_stage_default_is_its_summary(company)


def test_time_in_stage_default_view_is_its_summary_on_the_sample(sample_con):
    assert_time_in_stage_default_is_its_summary(sample_con.cursor())
