"""data._with_conversions on arrays (issue 18) gives the frames of its pandas text, kept here:
columns, dtypes, values and order, on hand-made frames (unknown last stages, zero counts, a
group of one step, unsorted rows, no rows, no unknown or won column) and on every frame the
page's queries give on the sample."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from dashboard.analytics.funnel import data as funnel
from dashboard.core import measures, queries
from dashboard.core.filters import Filters


def previous_with_conversions(frame: pd.DataFrame) -> pd.DataFrame:
    """The pandas text data._with_conversions replaced, as it was."""
    out = frame.sort_values(["group_value", "step_number"]).reset_index(drop=True)
    group = out["group_value"]
    first = out["step_number"] == out.groupby("group_value")["step_number"].transform("min")
    unknown = out.get("count_stop_unknown", pd.Series(0, index=out.index)).fillna(0)
    known = out["count_reached"] - unknown.where(first, 0)
    out["count_previous"] = known.groupby(group).shift(1)
    out["count_first"] = out.groupby("group_value")["count_reached"].transform("first")
    out["conversion_from_previous"] = measures.ratio(out["count_reached"], out["count_previous"])
    out["conversion_from_first"] = measures.ratio(out["count_reached"], out["count_first"])
    won = out.get("is_won_step", pd.Series(False, index=out.index)).fillna(False).astype(bool)
    shift_previous = measures.ratio(unknown, out["count_previous"] + unknown)
    shift_first = measures.ratio(unknown, out["count_first"]).where(~first & ~won, 0)
    out["unknown_shift"] = pd.Series(shift_previous, index=out.index, dtype=float).fillna(0)
    out["conversion_unknown"] = out["count_previous"].notna() & (
        out["unknown_shift"] > funnel.UNKNOWN_SHIFT_MAX
    )
    out.loc[out["conversion_unknown"], "conversion_from_previous"] = float("nan")
    first_unknown = pd.Series(shift_first, index=out.index, dtype=float) > funnel.UNKNOWN_SHIFT_MAX
    out.loc[first_unknown, "conversion_from_first"] = float("nan")
    following = out.groupby("group_value")["count_reached"].shift(-1)
    out["count_dropped"] = (known - following).where(following.notna())
    return out


def assert_same(frame: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        funnel._with_conversions(frame), previous_with_conversions(frame), check_exact=True
    )


def hand_made() -> pd.DataFrame:
    # Mixed: 200, 120, 60, 40 (won), 4 unknown · Clean: 10, 5, 2, 1 · Zero: 0, 0, 0, 0 ·
    # Alone: one step, 7 deals, 7 unknown · Small: 30, 0, 0, 0 with 2 unknown.
    rows = []
    for group, counts, unknown in (
        ("Mixed", (200, 120, 60, 40), 4),
        ("Clean", (10, 5, 2, 1), 0),
        ("Zero", (0, 0, 0, 0), 0),
        ("Small", (30, 0, 0, 0), 2),
    ):
        for step, count in enumerate(counts, start=1):
            rows.append((group, step, step == 4, count, unknown))
    rows.append(("Alone", 1, False, 7, 7))
    return pd.DataFrame(
        rows,
        columns=[
            "group_value",
            "step_number",
            "is_won_step",
            "count_reached",
            "count_stop_unknown",
        ],
    )


def test_hand_made_frames_match_the_pandas_text():
    frame = hand_made()
    assert_same(frame)  # unsorted groups
    assert_same(frame.sort_values(["group_value", "step_number"]))  # sorted: no sort
    assert_same(frame.iloc[::-1])  # steps backwards
    assert_same(frame.iloc[:0])  # no rows
    assert_same(frame.drop(columns=["count_stop_unknown", "is_won_step"]))
    floats = frame.astype({"count_stop_unknown": float})
    floats.loc[0, "count_stop_unknown"] = float("nan")
    assert_same(floats)
    assert funnel._with_conversions(frame)["conversion_unknown"].any()  # not a trivial case


@pytest.mark.parametrize("window_days", [None, 30])
def test_the_page_frames_on_the_sample_match_the_pandas_text(sample_con, window_days):
    cur = sample_con.cursor()
    last = cur.execute("select last_date from summary_data_dates").fetchall()[0][0]
    year = Filters(date(last.year - 1, last.month, 1), last)
    pipelines = [
        r[0]
        for r in cur.execute(
            "select distinct pipeline from summary_funnel_pipeline_steps"
        ).fetchall()
    ]
    compared = 0
    for filters in (Filters(), year, replace(year, segments=("SMB",))):
        for pipeline in pipelines:
            params = {**filters.params(), "pipeline": pipeline, "window_days": window_days}
            both = queries.run(cur, "funnel_by_stage_and_month", params)
            for view in ("all", "month"):
                assert_same(both[both["view"] == view].drop(columns="view"))
                compared += 1
            for dimension in funnel.DIMENSIONS:
                assert_same(queries.run(cur, "funnel_by_stage", {**params, "dimension": dimension}))
                compared += 1
    assert_same(queries.run(cur, "funnel_lifecycle", Filters().params()).assign(group_value="All"))
    assert compared >= 24
