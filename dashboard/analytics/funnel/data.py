"""What the funnel page shows: where deals leak, for whom, and whether it is getting better.

Data functions only (cursor, filters, options) -> small frames; no Streamlit. The "reached"
rule lives in queries/summaries/funnel_stage_entries.sql; conversions are computed here with
measures.ratio (reached(k) / reached(k-1) and reached(k) / reached(1), product.md).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from dashboard.core import empty, formatting, measures, needs, queries
from dashboard.core.filters import Filters

# Breakdown dimensions the page offers: query value -> label. Owner is the deal owner, as in
# the sidebar filter; lead source is deals.source; product series comes from the products
# table (a products or price-list export), names matched with case and spaces ignored.
DIMENSIONS = {
    "segment": "Segment",
    "region": "Region",
    "owner": "Owner",
    "source": "Lead source",
    "product": "Product",
    "product_series": "Product series",
}
# Breakdowns whose funnel, with no conversion window, is counted from the deals' rows counted
# by day (funnel_by_stage_from_cells.sql: a few ms instead of a scan of every deal's rows at a
# million deals, issue 18); the others need each deal's row (funnel_by_stage.sql).
CELL_DIMENSIONS = (None, "segment", "region", "owner", "created_month")
# Conversion windows offered (days from creation); 0 = no window.
WINDOWS = (0, 7, 14, 30, 60, 90, 180, 365)
# A rate resting on fewer deals than this is greyed out and never marked best or worst.
MIN_COUNT = 20
# The trend's whole-funnel series; the others are step-to-step ("A → B").
OVERALL_SERIES = ("Win rate", "Created → won")
# A creation month with more of its deals still open than this is "still maturing".
MATURING_OPEN_SHARE = 0.05
# Rows of the drop-off list sent to the browser (at a million deals it can hold 100,000).
DROPOFF_ROWS_SHOWN = 200  # a 300 px scroll; 1,000 styled rows were ~0.4 MB and 0.5 s a rerun
# The drop-off "step" of lost deals whose last stage is unknown (funnel_dropoff.sql's 0).
STOP_UNKNOWN = 0
# Lost deals whose last stage is unknown may have stopped at any stage: they are left out of
# every conversion that they could change, and such a conversion is shown only while they
# could move it by at most this much. With u of them beside n known deals at the stage before,
# the true conversion lies in [r(1 - s), r + s(1 - r)], s = u / (n + u): at most s away.
UNKNOWN_SHIFT_MAX = 0.05
# The trend's columns: is_shaded = maturing and shaded on the chart (never every month);
# is_unknown = a stage conversion hidden because unknown last stages could move it too far.
TREND_COLUMNS = [
    "month_start",
    "series",
    "rate",
    "numerator",
    "denominator",
    "is_small",
    "is_maturing",
    "is_shaded",
    "is_unknown",
]


def count_of(n: float, noun: str = "deal") -> str:
    """'1 deal', '1,234 deals'."""
    return f"{formatting.count(n)} {noun}{'' if n == 1 else 's'}"


def _params(filters: Filters, **extra: object) -> dict[str, object]:
    return {**filters.params(), **extra}


def no_data(cur: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, str]:
    """The funnel's parts whose input no load fed (core/needs.py): key -> what to map.
    Keys: funnel_amount, funnel_cycle, funnel_time_in_stage (and funnel: no stage at all)."""
    return needs.page_notes(cur, needs.FUNNEL, filters)


@dataclass(frozen=True)
class PipelinePicker:
    """The pipeline picker's options and the deals no funnel can place, from one run of
    funnel_pipelines.sql (the page asked it twice, 30 ms each at a million deals)."""

    options: pd.DataFrame  # pipelines with funnel steps, the one with most deals first
    unplaced: int  # deals whose pipeline has no stage order


def pipeline_picker(cur: duckdb.DuckDBPyConnection, filters: Filters) -> PipelinePicker:
    frame = queries.run(cur, "funnel_pipelines", filters.params())
    placed = frame["pipeline"].notna() & (frame["count_steps"] > 0)
    unplaced = int(frame.loc[~placed, "count_deals"].sum())
    return PipelinePicker(frame[placed].reset_index(drop=True), unplaced)


def pipelines(cur: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Pipelines with funnel steps, the one with most deals (for these filters) first."""
    return pipeline_picker(cur, filters).options


def default_pipeline(cur: duckdb.DuckDBPyConnection, filters: Filters) -> str | None:
    """The pipeline with most deals for the filters (ties: most deals overall), if any."""
    frame = pipelines(cur, filters)
    return None if frame.empty else str(frame["pipeline"].iloc[0])


def _with_conversions(frame: pd.DataFrame) -> pd.DataFrame:
    """Add reached(k-1), reached(1) and both conversions within each group, in step order.

    On arrays, the groups being runs of rows in (group, step) order: the pandas group-bys
    (a shift, a transform, each factorising the group names again) cost some 10 ms a frame
    of 78 rows, three frames a default view (issue 18); tests/analytics/funnel keep the
    pandas text and compare the two."""
    out = _in_step_order(frame)
    n = len(out)
    groups = out["group_value"].to_numpy()
    # Every group's rows are a run: its first row is its first step (the group's min).
    first = np.ones(n, dtype=bool)
    first[1:] = groups[1:] != groups[:-1]
    last = np.ones(n, dtype=bool)
    last[:-1] = first[1:]
    first_row = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    reached = out["count_reached"].to_numpy()
    # Lost deals with no known last stage (the group's count, on each of its rows) sit at the
    # first step only: they are no leak of it, and no deal of a conversion (see
    # UNKNOWN_SHIFT_MAX); without them, every count is of deals whose path is known.
    if "count_stop_unknown" in out:
        unknown = out["count_stop_unknown"].fillna(0).to_numpy()
    else:
        unknown = np.zeros(n, dtype=np.int64)
    known = reached - np.where(first, unknown, 0)
    previous = np.empty(n, dtype=float)
    previous[1:] = known[:-1]
    previous[first] = np.nan
    count_first = reached[first_row]
    out["count_previous"] = previous
    out["count_first"] = count_first
    from_previous = measures.ratio(reached, previous)
    from_first = measures.ratio(reached, count_first)
    # The most the unknowns could move each conversion; past UNKNOWN_SHIFT_MAX it is unknown.
    # Of first: the won step's is exact (they were lost), another step's reach is a floor.
    if "is_won_step" in out:
        won = out["is_won_step"].fillna(False).astype(bool).to_numpy()
    else:
        won = np.zeros(n, dtype=bool)
    shift_previous = measures.ratio(unknown, previous + unknown)
    shift_previous = np.where(np.isnan(shift_previous), 0.0, shift_previous)
    shift_first = np.where(~first & ~won, measures.ratio(unknown, count_first), 0)
    conversion_unknown = ~np.isnan(previous) & (shift_previous > UNKNOWN_SHIFT_MAX)
    out["conversion_from_previous"] = np.where(conversion_unknown, np.nan, from_previous)
    out["conversion_from_first"] = np.where(shift_first > UNKNOWN_SHIFT_MAX, np.nan, from_first)
    out["unknown_shift"] = shift_previous
    out["conversion_unknown"] = conversion_unknown
    following = np.empty(n, dtype=float)
    following[:-1] = reached[1:]
    following[last] = np.nan
    out["count_dropped"] = known - following  # NaN at each group's last step
    if not n:  # nothing shifted: pandas' group-by shift kept the counts' integer type
        out["count_previous"] = out["count_previous"].astype(known.dtype)
        out["count_dropped"] = out["count_dropped"].astype(np.result_type(known, reached))
    return out


def _in_step_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame sorted by group and step (as sort_values, stable), without sorting when the
    query's order by already did."""
    groups = frame["group_value"].to_numpy()
    steps = frame["step_number"].to_numpy()
    try:
        same = groups[1:] == groups[:-1]
        ordered = ((groups[1:] > groups[:-1]) | (same & (steps[1:] >= steps[:-1]))).all()
    except TypeError:  # a missing group name: sort_values places it
        ordered = False
    if ordered:
        return frame.reset_index(drop=True)
    return frame.sort_values(["group_value", "step_number"]).reset_index(drop=True)


def _by_stage(
    cur: duckdb.DuckDBPyConnection,
    filters: Filters,
    pipeline: str,
    window_days: int | None,
    dimension: str | None,
) -> pd.DataFrame:
    if dimension is not None and dimension not in (*DIMENSIONS, "created_month"):
        raise ValueError(f"No breakdown by {dimension!r}; choose one of {', '.join(DIMENSIONS)}.")
    if window_days is None and dimension in CELL_DIMENSIONS:
        params = _params(filters, pipeline=pipeline, dimension=dimension)
        return _with_conversions(queries.run(cur, "funnel_by_stage_from_cells", params))
    params = _params(filters, pipeline=pipeline, window_days=window_days, dimension=dimension)
    return _with_conversions(queries.run(cur, "funnel_by_stage", params))


def funnel_steps(
    cur: duckdb.DuckDBPyConnection,
    filters: Filters,
    pipeline: str,
    window_days: int | None = None,
) -> pd.DataFrame:
    """One row per step: deals reached, their amount, % of previous, % of first, dropped."""
    return _steps_of(cur, filters, _by_stage(cur, filters, pipeline, window_days, None))


def _steps_of(
    cur: duckdb.DuckDBPyConnection, filters: Filters, frame: pd.DataFrame
) -> pd.DataFrame:
    """funnel_steps' columns of a funnel_by_stage frame with conversions (no dimension)."""
    columns = [
        "step_number",
        "step_name",
        "is_won_step",
        "count_reached",
        "amount_reached",
        "conversion_from_previous",
        "conversion_from_first",
        "count_dropped",
        "count_stop_unknown",
        "unknown_shift",
        "conversion_unknown",
    ]
    frame = frame[columns]
    if "funnel_amount" in no_data(cur, filters):  # never mapped: no amount, not $0
        frame = frame.assign(amount_reached=float("nan"))
    return frame


@dataclass(frozen=True)
class StepsAndTrend:
    """The funnel's steps and its monthly trend, from one scan (funnel_by_stage_and_month)."""

    steps: pd.DataFrame  # funnel_steps
    trend: pd.DataFrame  # trend


def steps_and_trend(
    cur: duckdb.DuckDBPyConnection,
    filters: Filters,
    pipeline: str,
    window_days: int | None = None,
) -> StepsAndTrend:
    """funnel_steps and trend for the same pipeline and window: the page shows both, and at a
    million deals each was a scan of 50-90 ms (issue 18)."""
    if window_days is None:  # the cells by day hold every figure of no window
        params = _params(filters, pipeline=pipeline)
        frame = queries.run(cur, "funnel_by_stage_and_month_from_cells", params)
    else:
        params = _params(filters, pipeline=pipeline, window_days=window_days)
        frame = queries.run(cur, "funnel_by_stage_and_month", params)
    views = {
        view: _with_conversions(
            frame[frame["view"] == view].drop(columns="view").reset_index(drop=True)
        )
        for view in ("all", "month")
    }
    return StepsAndTrend(
        _steps_of(cur, filters, views["all"]), _trend_of(cur, views["month"], window_days)
    )


def biggest_leak(steps: pd.DataFrame) -> pd.Series | None:
    """The open step that lost most deals to the next one (None when nothing dropped)."""
    open_steps = steps[~steps["is_won_step"] & steps["count_dropped"].notna()]
    if open_steps.empty or open_steps["count_dropped"].max() <= 0:
        return None
    return open_steps.loc[open_steps["count_dropped"].idxmax()]


def stop_unknown(steps: pd.DataFrame) -> int:
    """Lost deals whose last stage is unknown (no stage history, current stage no step)."""
    if "count_stop_unknown" not in steps or steps.empty:
        return 0
    return int(steps["count_stop_unknown"].iloc[0])


def known_leak(steps: pd.DataFrame) -> pd.Series | None:
    """The biggest leak, only when the deals whose last stage is unknown could not change it:
    even all of them lost at the runner-up would leave it behind (None otherwise)."""
    leak = biggest_leak(steps)
    unknown = stop_unknown(steps)
    if leak is None or not unknown:
        return leak
    others = steps[~steps["is_won_step"] & (steps["step_number"] != leak.step_number)]
    runner_up = others["count_dropped"].max() if not others.empty else 0
    return leak if leak.count_dropped > (0 if pd.isna(runner_up) else runner_up) + unknown else None


def stop_unknown_words(steps: pd.DataFrame) -> str | None:
    """What the lost deals with no known last stage do to the funnel, with their count: shown
    under the chart (None when every lost deal's last stage is known)."""
    unknown = stop_unknown(steps)
    if not unknown:
        return None
    first = steps["step_name"].iloc[0]
    created = steps["count_reached"].iloc[0]
    words = [
        f"Last stage unknown: {count_of(unknown, 'lost deal')} "
        f"({formatting.ratio(unknown / created)} of those created). They have no stage "
        "history and their stage reads as lost, so they may have been lost at any stage: the "
        f"funnel counts them as created ({first}) and no further, counts none of them as a "
        "leak of any stage, and leaves them out of every stage-to-stage conversion."
    ]
    later = steps.iloc[1:]
    hidden = later["conversion_unknown"] if "conversion_unknown" in later else later.iloc[:0]
    most = f"{100 * later['unknown_shift'].max():.0f} points" if len(later) else ""
    if len(hidden) and hidden.all():
        words.append(
            f"So many could move each conversion by up to {most}: no stage-to-stage "
            "conversion can be known, and none is shown."
        )
    elif hidden.any():
        words.append(
            f"A conversion they could move by more than {100 * UNKNOWN_SHIFT_MAX:.0f} points is "
            "shown as unknown."
        )
    elif len(later):
        words.append(f"They could move no conversion by more than {most}.")
    words.append("Load their stage history on the import page to place them.")
    return " ".join(words)


def conversion_words(value: object, unknown: bool) -> str:
    """A conversion for a table: '63.2%', 'unknown' (too many unknown last stages) or '—'."""
    return "unknown" if unknown else formatting.ratio(value)


def funnel_table(steps: pd.DataFrame) -> pd.DataFrame:
    """The funnel for people: counts, amounts and both conversions side by side."""
    table = pd.DataFrame(
        {
            "Stage": steps["step_name"],
            "Deals reached": steps["count_reached"].map(formatting.count),
            "Amount": steps["amount_reached"].map(formatting.money),
            "% of previous": [
                conversion_words(v, u)
                for v, u in zip(
                    steps["conversion_from_previous"], steps["conversion_unknown"], strict=True
                )
            ],
            "% of first": [
                conversion_words(v, pd.isna(v) and bool(n))
                for v, n in zip(steps["conversion_from_first"], steps["count_reached"], strict=True)
            ],
            "Went no further": steps["count_dropped"].map(formatting.count),
        }
    )
    # No amount known at any step (none mapped): the column would read "—" all the way down.
    return table if steps["amount_reached"].notna().any() else table.drop(columns="Amount")


def kpi_rows(cur: duckdb.DuckDBPyConnection, filters: Filters) -> list[dict[str, object]]:
    """`crm-dashboard kpis` "funnel": the default pipeline, no window, conversions 0-1.

    The first step has no previous step, so its conversion_from_previous is None, as is any
    conversion whose denominator is 0.
    """
    pipeline = default_pipeline(cur, filters)
    if pipeline is None:
        return []
    steps = funnel_steps(cur, filters, pipeline)
    return [
        {
            "stage": str(row.step_name),
            "reached": int(row.count_reached),
            "conversion_from_previous": _plain_rate(row.conversion_from_previous),
            "conversion_from_first": _plain_rate(row.conversion_from_first),
        }
        for row in steps.itertuples()
    ]


def _plain_rate(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


@dataclass(frozen=True)
class Breakdown:
    """Step-to-step conversion per group: tidy numbers, a table for people, and its marks."""

    tidy: pd.DataFrame  # one row per (group, step), numbers only (the download)
    table: pd.DataFrame  # one row per group, text cells "73.6% · 1,282/1,742"
    marks: pd.DataFrame  # same shape as table: "best", "worst", "small" or ""


def breakdown(
    cur: duckdb.DuckDBPyConnection,
    filters: Filters,
    pipeline: str,
    dimension: str,
    window_days: int | None = None,
) -> Breakdown:
    """Conversion of each step from the one before, per group, best and worst marked.

    Best/worst compare groups with at least MIN_COUNT deals in the denominator; a column
    needs two such groups to mark anything.
    """
    tidy = _by_stage(cur, filters, pipeline, window_days, dimension)
    if tidy.empty:
        return Breakdown(tidy, pd.DataFrame(), pd.DataFrame())
    label = DIMENSIONS[dimension]
    groups = list(dict.fromkeys(tidy["group_value"]))
    cells: dict[str, list[str]] = {label: groups, "Deals": []}
    marks: dict[str, list[str]] = {label: [""] * len(groups), "Deals": [""] * len(groups)}
    first = tidy[tidy["step_number"] == tidy["step_number"].min()].set_index("group_value")
    cells["Deals"] = [formatting.count(first.loc[g, "count_reached"]) for g in groups]
    steps = tidy.drop_duplicates("step_number").sort_values("step_number")
    columns = [(f"→ {s.step_name}", s.step_number, "previous") for s in steps.iloc[1:].itertuples()]
    won = steps[steps["is_won_step"]]
    if not won.empty and len(steps) > 2:
        columns.append(("Created → won", int(won["step_number"].iloc[0]), "first"))
    for title, step_number, base in columns:
        part = tidy[tidy["step_number"] == step_number].set_index("group_value").loc[groups]
        rate = part[f"conversion_from_{base}"]
        denominator = part["count_previous" if base == "previous" else "count_first"]
        unknown = part["conversion_unknown"] if base == "previous" else rate.isna() & False
        cells[title] = [
            _rate_cell(r, n, d, u)
            for r, n, d, u in zip(rate, part["count_reached"], denominator, unknown, strict=True)
        ]
        marks[title] = _best_worst(rate, denominator)
    return Breakdown(tidy, pd.DataFrame(cells), pd.DataFrame(marks))


def breakdown_unknown_words(result: Breakdown) -> str:
    """' "unknown": ...' for the breakdown's caption when a cell's conversion is unknown."""
    if result.tidy.empty or "conversion_unknown" not in result.tidy:
        return ""
    if not result.tidy["conversion_unknown"].any():
        return ""
    groups = result.tidy.drop_duplicates("group_value")
    return (
        f" “unknown”: that group's lost deals with no known last stage "
        f"({count_of(groups['count_stop_unknown'].sum(), 'lost deal')} in all) could move "
        f"the conversion by more than {100 * UNKNOWN_SHIFT_MAX:.0f} points; they are left out "
        "of every conversion."
    )


def _rate_cell(rate: float, reached: float, denominator: float, unknown: bool = False) -> str:
    if unknown:  # lost deals with no known last stage could move it past UNKNOWN_SHIFT_MAX
        return "unknown"
    if pd.isna(rate):
        return f"{formatting.MISSING} · 0 deals"
    return f"{formatting.ratio(rate)} · {formatting.count(reached)}/{formatting.count(denominator)}"


def _best_worst(rate: pd.Series, denominator: pd.Series) -> list[str]:
    eligible = rate.notna() & (denominator >= MIN_COUNT)
    marks = ["" if ok else "small" for ok in eligible]
    if eligible.sum() >= 2 and rate[eligible].max() > rate[eligible].min():
        best, worst = rate[eligible].max(), rate[eligible].min()
        for i, (ok, value) in enumerate(zip(eligible, rate, strict=True)):
            if ok and value == best:
                marks[i] = "best"
            elif ok and value == worst:
                marks[i] = "worst"
    return marks


def trend(
    cur: duckdb.DuckDBPyConnection,
    filters: Filters,
    pipeline: str,
    window_days: int | None = None,
) -> pd.DataFrame:
    """Conversion by creation month, long format: one row per (month, series).

    Series: each step-to-step conversion ("A → B"), "Created → won" (% of first at the won
    step) and "Win rate" (won / (won + lost) of the month's deals, measures.win_rate). Each
    row keeps its numerator and denominator; is_small marks denominators under MIN_COUNT.
    """
    return _trend_of(
        cur, _by_stage(cur, filters, pipeline, window_days, "created_month"), window_days
    )


def _trend_of(
    cur: duckdb.DuckDBPyConnection, tidy: pd.DataFrame, window_days: int | None
) -> pd.DataFrame:
    """trend's frame of a funnel_by_stage frame by created_month, with conversions."""
    tidy = tidy[tidy["group_value"] != "(not set)"]
    if tidy.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    names = tidy.drop_duplicates("step_number").set_index("step_number")["step_name"]
    parts = []
    steps = tidy[tidy["step_number"] > tidy["step_number"].min()]
    parts.append(
        pd.DataFrame(
            {
                "month_start": steps["group_value"],
                "series": [f"{names[n - 1]} → {names[n]}" for n in steps["step_number"]],
                "rate": steps["conversion_from_previous"],
                "numerator": steps["count_reached"],
                "denominator": steps["count_previous"],
                "is_unknown": steps["conversion_unknown"],
            }
        )
    )
    won = tidy[tidy["is_won_step"]]
    parts.append(
        pd.DataFrame(
            {
                "month_start": won["group_value"],
                "series": "Created → won",
                "rate": won["conversion_from_first"],
                "numerator": won["count_reached"],
                "denominator": won["count_first"],
            }
        )
    )
    months = tidy.drop_duplicates("group_value")
    parts.append(
        pd.DataFrame(
            {
                "month_start": months["group_value"],
                "series": "Win rate",
                "rate": measures.win_rate(months["count_won"], months["count_lost"]),
                "numerator": months["count_won"],
                "denominator": months["count_won"] + months["count_lost"],
            }
        )
    )
    out = pd.concat(parts, ignore_index=True)
    out["month_start"] = pd.to_datetime(out["month_start"])
    # Every month from first to last, so a month without deals is a gap, not a straight line;
    # series in funnel order (steps first), so the legend reads like the funnel.
    every_month = pd.date_range(out["month_start"].min(), out["month_start"].max(), freq="MS")
    grid = pd.MultiIndex.from_product(
        [pd.unique(out["series"]), every_month], names=["series", "month_start"]
    )
    out = out.set_index(["series", "month_start"]).reindex(grid).reset_index()
    out[["numerator", "denominator"]] = out[["numerator", "denominator"]].fillna(0)
    out["is_small"] = out["denominator"] < MIN_COUNT
    out["is_unknown"] = out["is_unknown"].astype("boolean").fillna(False).astype(bool)
    maturing = _maturing_months(cur, months, window_days)
    out["is_maturing"] = out["month_start"].isin(maturing)
    # Shaded on the chart: the maturing months, unless every month is (a short history): a
    # chart shaded all over says nothing; the note says so in words instead (trend_note).
    out["is_shaded"] = out["is_maturing"] & ~out["is_maturing"].all()
    return out[TREND_COLUMNS]


def _maturing_months(
    cur: duckdb.DuckDBPyConnection, months: pd.DataFrame, window_days: int | None
) -> list[pd.Timestamp]:
    """Creation months whose conversions can still rise, so a dip there is no trend.

    With a window: the month's last deals have not had the full window by the last day with
    data. Without: more than MATURING_OPEN_SHARE of the month's deals are still open.
    """
    months = months.sort_values("group_value")
    starts = pd.to_datetime(months["group_value"])
    if window_days:
        last = queries.run_one(cur, "data_date_range", {})["last_date"]
        if last is None:
            return []
        ends = starts + pd.DateOffset(months=1) + pd.Timedelta(days=window_days)
        return list(starts[ends > pd.Timestamp(last) + pd.Timedelta(days=1)])
    created = months["count_first"]
    still_open = created - months["count_won"] - months["count_lost"]
    share = pd.Series(measures.ratio(still_open, created), index=months.index, dtype=float)
    return list(starts[trailing_run(share > maturing_threshold(share)).to_numpy()])


def maturing_threshold(open_share: pd.Series) -> float:
    """The open share above which a month is still maturing: MATURING_OPEN_SHARE, or twice
    the typical month's share when the export keeps stale deals open for ever (then every
    month is "open" and shading them all would say nothing)."""
    typical = open_share.median()
    return max(MATURING_OPEN_SHARE, 2 * typical) if pd.notna(typical) else MATURING_OPEN_SHARE


def trailing_run(flags: pd.Series) -> pd.Series:
    """Only the flags of the last months in a row (the young tail): an old month with open
    deals left over is not "maturing", and shading from it would cover settled months."""
    flags = flags.fillna(False).astype(bool).reset_index(drop=True)
    settled = flags[~flags]
    last_settled = settled.index.max() if not settled.empty else -1
    return pd.Series(flags.index > last_settled, index=flags.index)


def stage_series(trend_frame: pd.DataFrame) -> list[str]:
    """The step-to-step series with at least one month known, in funnel order: a month whose
    lost deals with no known last stage could move a conversion by more than
    UNKNOWN_SHIFT_MAX has no rate (never a line at 100% made of the won deals alone)."""
    steps = trend_frame[~trend_frame["series"].isin(OVERALL_SERIES)]
    known = steps.groupby("series", sort=False)["rate"].apply(lambda r: r.notna().any())
    return [name for name, ok in known.items() if ok]


def stage_series_unknown(trend_frame: pd.DataFrame, steps: pd.DataFrame) -> str | None:
    """Why there is no stage-to-stage trend, when the cause is unknown last stages."""
    if stage_series(trend_frame) or not stop_unknown(steps):
        return None
    return (
        f"No stage-to-stage conversion by month: in every month, lost deals with no known last "
        f"stage ({count_of(stop_unknown(steps), 'lost deal')} in all) could move it by more "
        f"than {100 * UNKNOWN_SHIFT_MAX:.0f} points. Load their stage history on the import "
        "page to place them."
    )


def deals_created_by_month(trend_frame: pd.DataFrame) -> pd.DataFrame:
    """Deals created per month (the denominator of "Created → won"), for the trend's bars."""
    rows = trend_frame[trend_frame["series"] == "Created → won"]
    return rows[["month_start", "denominator"]].rename(columns={"denominator": "count_created"})


def time_in_stage(cur: duckdb.DuckDBPyConnection, filters: Filters, pipeline: str) -> pd.DataFrame:
    """Median and 75th percentile days per open step, with the deals measured; for the default
    view (the last 12 months of data, no filter, no grant, the pipeline the page opens on) its
    per-load summary, the same rows (queries/funnel_time_in_stage_default.sql)."""
    params = _params(filters, pipeline=pipeline)
    if filters.start_date and filters.end_date:
        frame = queries.run(cur, "funnel_time_in_stage_default", params)
        if len(frame):
            return frame
    return queries.run(cur, "funnel_time_in_stage", params)


def funnel_empty(pipeline: str, filters: Filters, gaps: dict[str, str]) -> str:
    """Why a pipeline's funnel is empty: no creation date to place deals in a period, or no
    deal created in it."""
    if filters.has_period and "funnel_period" in gaps:
        return (
            f"{gaps['funnel_period']} The funnel places deals in a period by their creation "
            "date; pick 'All time' in the sidebar to count every deal."
        )
    return empty.nothing(
        f"{pipeline} deals were created",
        filters,
        "The funnel counts deals by their creation date.",
    )


def time_in_stage_empty(
    stay: pd.DataFrame, gaps: dict[str, str], filters: Filters | None = None, pipeline: str = ""
) -> str | None:
    """Why there is no time-in-stage chart, by its true cause (None when there is one). A
    chart with no stage measured would be an empty "Days in each stage" axis."""
    if stay["count_deals_measured"].sum() and stay["median_days"].notna().any():
        return None
    if "funnel_time_in_stage" in gaps:
        return gaps["funnel_time_in_stage"]
    filters = filters or Filters()
    if pipeline and len(stay) and not stay["count_ever_measured"].max():
        # The stage history loaded covers other pipelines: not a matter of the period.
        chosen = filters.segments or filters.regions or filters.owners or filters.teams
        whose = " for these filters" if chosen else ""
        return (
            f"No days in each stage: no {pipeline} deal{whose} has a stage history (the date "
            f"it entered each stage), in any period. Load {pipeline}'s stage history on the "
            "import page."
        )
    return empty.nothing(
        "deal created moved on from a stage with its stage dates recorded",
        filters,
        "Time in stage needs the date each deal entered each stage (a stage history).",
    )


def sales_cycle_empty(
    cycle: SalesCycle, gaps: dict[str, str], filters: Filters | None = None, pipeline: str = ""
) -> str | None:
    """Why there is no sales cycle chart: a date never mapped, or no won deal in the period
    with both dates (never "in this period" on All time)."""
    if not cycle.cycles.empty:
        return None
    if "funnel_cycle" in gaps:
        return gaps["funnel_cycle"]
    won = f"won {pipeline} deal" if pipeline else "won deal"
    return empty.nothing(
        f"{won} with a creation and a close date closed",
        filters or Filters(),
        "The sales cycle is the days from creation to close of won deals.",
    )


@dataclass(frozen=True)
class SalesCycle:
    cycles: pd.DataFrame  # one row per won deal: deal_id, cycle_days
    median_days: float | None
    p75_days: float | None


def sales_cycle(cur: duckdb.DuckDBPyConnection, filters: Filters, pipeline: str) -> SalesCycle:
    """Cycle lengths of won deals closed in the period, with their median and 75th percentile."""
    cycles = queries.run(cur, "funnel_sales_cycle", _params(filters, pipeline=pipeline))
    if cycles.empty:
        return SalesCycle(cycles, None, None)
    days = cycles["cycle_days"]
    return SalesCycle(cycles, float(days.median()), float(days.quantile(0.75)))


def dropoff(
    cur: duckdb.DuckDBPyConnection,
    filters: Filters,
    pipeline: str,
    step_number: int,
    window_days: int | None = None,
    row_limit: int | None = None,
) -> pd.DataFrame:
    """Deals that reached the step and went no further: lost there or still open there; the
    first `row_limit` of them (None = all), each row with the whole list's counts."""
    params = _params(
        filters,
        pipeline=pipeline,
        step_number=int(step_number),
        row_limit=None if row_limit is None else int(row_limit),
    )
    if window_days is None:  # the stopped deals in the list's order, per load (issue 18)
        return queries.run(cur, "funnel_dropoff_from_stopped", params)
    return queries.run(cur, "funnel_dropoff", {**params, "window_days": window_days})


_ISO_DATE = r"\b(\d{4})-(\d\d)-(\d\d)\b"


def _day_month_year(found: re.Match) -> str:
    """'2025-04-01' -> '1 Apr 2025' (the stage path's dates, as every table writes them)."""
    year, month, day = (int(g) for g in found.groups())
    return f"{day} {calendar.month_abbr[month]} {year}"


def dropoff_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The drop-off list with column names a manager reads (also the CSV download)."""
    # The deal first (what a row is about, never pushed off the right edge at 1440 px), the
    # long "Stage dates" last (held to a medium width on the page); dates as "1 Apr 2025".
    table = pd.DataFrame(
        {
            "Deal": frame["deal_name"],
            "Deal ID": frame["deal_id"],
            "Account": frame["account_name"],
            "Owner": frame["owner"],
            "Status": frame["status"],
            "Amount (USD)": frame["amount"],
            "Created": frame["created_at"].dt.date,
            "Entered stage": frame["entered_step_at"].dt.date,
            "Closed": frame["closed_at"].dt.date,
            "Loss reason": frame["loss_reason"],
            "Stage dates": frame["stage_path"].str.replace(_ISO_DATE, _day_month_year, regex=True),
        }
    )
    # None of these deals has an amount (none mapped): no column of blanks. Counted over the
    # whole list, so the page's first rows and the download keep the same columns.
    known = len(frame) > 0 and int(frame["count_with_amount"].iloc[0]) > 0
    return table if known else table.drop(columns="Amount (USD)")


# The drop-off list as the page shows it: columns held to widths that, with the sidebar open,
# fit 1440 px without scrolling sideways (978 px of grid, the row picker included), in rows
# tall enough for a long deal, account or loss reason to wrap onto three lines instead of
# ending in "…". The stage path (up to 150 characters) would fit no column: it is shown for
# the row selected, and the download keeps every column (the deal ID and stage path too).
# Header -> (pixels, help).
DROPOFF_WIDTHS: dict[str, tuple[int, str | None]] = {
    "Deal": (184, "The deal's name (the download also has its ID). Select a row for its stages."),
    "Account": (132, None),
    "Owner": (100, None),
    "Status": (54, "Lost, or still open at the stage."),
    "Amount": (70, "The deal's amount in USD."),
    "Created": (90, None),
    "Entered stage": (96, "When it entered the stage it went no further than."),
    "Closed": (90, None),
    "Loss reason": (112, None),
}  # 928 px, beside the 36 px of the row picker: within 978
DROPOFF_ROW_HEIGHT = 68  # three lines of text; Streamlit wraps only in rows over 64 px


def dropoff_page_table(table: pd.DataFrame) -> pd.DataFrame:
    """The page's columns of `dropoff_table` (DROPOFF_WIDTHS), short headers."""
    shown = table.rename(columns={"Amount (USD)": "Amount"})
    return shown[[c for c in DROPOFF_WIDTHS if c in shown]]


def dropoff_height(rows: int) -> int:
    """The grid's height: every row of a short list (no empty rows), about five of a long."""
    return min(38 + 5 * DROPOFF_ROW_HEIGHT, 38 + DROPOFF_ROW_HEIGHT * rows + 3)


def dropoff_path_words(table: pd.DataFrame, selected: list[int]) -> str:
    """The selected deal's stage dates (they fit no column), or how to see them."""
    if not selected or selected[0] >= len(table):
        return "Select a row for that deal's stage dates; the download has them for every deal."
    row = table.iloc[selected[0]]
    path = row["Stage dates"] if pd.notna(row["Stage dates"]) else "no stage dates recorded"
    return f"**{row['Deal']}** ({row['Account']}): {path}"


def lifecycle(cur: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Accounts identified in the period -> engaged -> opportunity -> customer -> repeat buyer
    -> promoter, with both conversions."""
    frame = queries.run(cur, "funnel_lifecycle", filters.params())
    frame["group_value"] = "All accounts"
    out = _with_conversions(frame).drop(columns="group_value")
    out["is_won_step"] = False
    return out


def describe_window(window_days: int | None) -> str:
    if not window_days:
        return "no conversion window"
    return f"stages entered within {formatting.days(window_days)} of creation"


def subset_words(pipeline: str, window_days: int | None = None) -> str:
    """Which deals a funnel chart covers, for its title: 'Sales Pipeline' or 'Sales Pipeline
    · stages entered within 90 days of creation'. The overview counts every pipeline; a
    funnel chart that does not name its one reads as a contradiction (issue 19 point 4)."""
    words = f"{pipeline} pipeline" if "pipeline" not in pipeline.lower() else pipeline
    return f"{words} · {describe_window(window_days)}" if window_days else words


def describe_pipeline(options: pd.DataFrame, pipeline: str) -> str:
    """'Sales Pipeline (6,988 deals)' for the pipeline picker."""
    row = options[options["pipeline"] == pipeline]
    count = int(row["count_deals"].iloc[0]) if not row.empty else 0
    return f"{pipeline} ({count_of(count)})"


def headline(steps: pd.DataFrame, where: str, window_days: int | None) -> str:
    """One sentence: how many deals, how many won, and the biggest leak."""
    created = steps["count_reached"].iloc[0]
    won = steps[steps["is_won_step"]]
    parts = [f"{where}: {count_of(created)} created ({describe_window(window_days)})"]
    if not won.empty:
        row = won.iloc[0]
        parts.append(
            f"{formatting.count(row.count_reached)} reached {row.step_name} "
            f"({formatting.ratio(row.conversion_from_first)} of first)"
        )
    leak = known_leak(steps)
    if leak is not None:
        parts.append(
            f"the biggest leak is after {leak.step_name}: {count_of(leak.count_dropped)} "
            "went no further (click its bar to list them)"
        )
    elif unknown := stop_unknown(steps):
        verb = "has" if unknown == 1 else "have"
        parts.append(
            f"where most deals leak is unknown: {count_of(unknown, 'lost deal')} {verb} no "
            "known last stage"
        )
    return "; ".join(parts) + "."


def dropoff_choices(steps: pd.DataFrame) -> dict[int, str]:
    """Open steps a deal can stop at: step number -> 'Qualification (1,173 deals)'."""
    open_steps = steps[~steps["is_won_step"]]
    choices = {
        int(r.step_number): f"{r.step_name} ({count_of(r.count_dropped)})"
        for r in open_steps.itertuples()
    }
    if unknown := stop_unknown(steps):  # listed apart: funnel_dropoff's step 0
        choices[STOP_UNKNOWN] = f"Last stage unknown ({count_of(unknown, 'lost deal')})"
    return choices


def default_dropoff_step(steps: pd.DataFrame) -> int:
    """The step where most deals stopped (a list to open, not a claim: even when unknown
    last stages leave the biggest leak in doubt); the first step when nothing dropped."""
    leak = biggest_leak(steps)
    return int(leak.step_number) if leak is not None else int(steps["step_number"].iloc[0])


def clicked_step(steps: pd.DataFrame, points: list[dict]) -> int | None:
    """The open step whose bar was clicked (chart selection points), else None."""
    for point in points or []:
        index = point.get("point_index", point.get("point_number"))
        if index is not None and 0 <= int(index) < len(steps):
            row = steps.iloc[int(index)]
            if not row["is_won_step"]:
                return int(row["step_number"])
    return None


def dropoff_count(deals: pd.DataFrame) -> int:
    """How many deals the whole list holds, however few rows were fetched."""
    return int(deals["count_deals"].iloc[0]) if len(deals) else 0


def dropoff_caption(deals: pd.DataFrame, step_label: str) -> str:
    """Counted over the whole list (its totals columns), however few rows were fetched."""
    first = deals.iloc[0] if len(deals) else None
    total = int(first["count_deals"]) if first is not None else 0
    lost = int(first["count_lost"]) if first is not None else 0
    still_open = int(first["count_open"]) if first is not None else 0
    other = total - lost - still_open
    # Their amount only when one of them has one: no amount is not $0.
    known = first is not None and int(first["count_with_amount"]) > 0
    amount = f", {formatting.money(first['amount_total'])}" if known else ""
    if step_label.startswith("Last stage unknown"):
        return (
            f"Lost, last stage unknown: {count_of(total)}{amount}. No stage history records "
            "how far they went before they were lost."
        )
    text = (
        f"Reached {step_label.rsplit(' (', 1)[0]} and went no further: "
        f"{count_of(total)}{amount} — {formatting.count(lost)} lost, "
        f"{formatting.count(still_open)} still open there"
    )
    if other:
        text += f", {formatting.count(other)} won later, outside the conversion window"
    return text + (". Lost deals first, largest amounts first." if known else ". Lost deals first.")


def trend_note(window_days: int | None, frame: pd.DataFrame | None = None) -> str:
    """The footnote under the trend, saying only what the charts show: shaded months when
    some are shaded, every month maturing when all are, months with no stage conversion."""
    note = (
        f"Hollow grey points rest on fewer than {MIN_COUNT} deals: read them as noise, not a "
        "trend. Hover a point for its counts."
    )
    if window_days:
        why = f"their deals have not all had {formatting.days(window_days)} yet"
    else:
        why = (
            f"more than {MATURING_OPEN_SHARE:.0%} of their deals are still open, so their rates "
            "can still rise"
        )
    maturing = frame is not None and frame["is_maturing"].any()
    if maturing and frame["is_shaded"].any():
        first = frame.loc[frame["is_shaded"], "month_start"].min()
        note += f" Shaded months (from {first:%b %Y}) are still maturing: {why}."
    elif maturing:
        note += f" Every month shown is still maturing: {why}; read every rate as provisional."
    if frame is not None and frame["is_unknown"].any() and stage_series(frame):
        note += (
            " A month with no stage-to-stage point has so many lost deals with no known last "
            f"stage that they could move its conversion by more than "
            f"{100 * UNKNOWN_SHIFT_MAX:.0f} points."
        )
    if not window_days and maturing:
        note += " A conversion window compares months on equal terms."
    return note


def lifecycle_note(steps: pd.DataFrame) -> str:
    """Where an account meets a step's own condition without the funnel counting it."""
    extra = steps[steps["count_condition_met"] > steps["count_reached"]]
    notes = []
    for r in extra.itertuples():
        n = r.count_condition_met - r.count_reached
        notes.append(
            f"{count_of(n, 'more account')} {'meets' if n == 1 else 'meet'} “{r.step_name}” "
            "on its own without the step before."
        )
    return " ".join(notes)
