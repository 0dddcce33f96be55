"""Satisfaction trends: how customers feel, whether it moved beyond noise, for whom, in words.

Data functions only (cursor, filters, options) -> small frames or dataclasses; no Streamlit.
The query files return counts and sums; NPS, CSAT, CES and their 95% margins of error come
from dashboard/core/measures.py, the one definition the CLI and the tests use too. Answer classes
(promoter, detractor, satisfied, and the CSAT scale rule) live in
queries/summaries/satisfaction_responses.sql.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from dashboard.core import formatting, measures, needs, queries
from dashboard.core.filters import Filters
from dashboard.core.periods import GRAINS, cohort_label, describe_period
from dashboard.core.tiles import Tile, within_noise

SURVEYS = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}
DIMENSIONS = {
    "segment": "Segment",
    "channel": "Channel",
    "owner": "Account owner",
    "region": "Region",
}
# A period (or group) with fewer answers than this is greyed out, never read as a trend.
MIN_RESPONSES = 30
ROLLING = (1, 3, 6)  # periods pooled into each rolling point; 1 = no rolling average
WINDOWS = (30, 60, 90, 180)  # days after answering in which an order counts
DEFAULT_WINDOW = 90
VERBATIM_LIMIT = 500  # newest comments shown (and downloaded) at most
MAX_SEARCH_LENGTH = 200
FREQUENCIES = {"week": "W-MON", "month": "MS", "quarter": "QS"}
COUNTS = ["responses", "promoters", "detractors", "satisfied", "score_sum", "score_squares"]
CSAT_RULE = (
    "CSAT = % of answers in the top two boxes: 4–5 on a 1–5 scale. An upload whose CSAT scores "
    "go above 5 is read as a 1–10 scale, where 9–10 count as satisfied."
)
DEFINITIONS = {
    "nps": "NPS = % promoters (9–10) − % detractors (0–6) on a 0–10 scale, from −100 to 100.",
    "csat": CSAT_RULE,
    "ces": "CES = the mean customer-effort score (1–7); lower means less effort.",
}
AXIS_TITLES = {
    "nps": "NPS (−100 to 100)",
    "csat": "CSAT (% satisfied)",
    "ces": "CES (mean effort, 1–7)",
}


# --- numbers --------------------------------------------------------------------------


def with_scores(frame: pd.DataFrame, min_responses: int = MIN_RESPONSES) -> pd.DataFrame:
    """Adds value (NPS, CSAT in %, or mean CES by the row's survey_type), its 95% margin,
    passives, the three NPS shares, and is_reliable (at least min_responses answers)."""
    return pd.DataFrame(_scored(_columns(frame), min_responses), index=frame.index)


# The satisfaction calls work on a few rows (a type x a period or group) as columns: name ->
# numpy array or pandas array (each keeping its dtype), built into a frame once at the end.
# The same arithmetic as on a frame, without pandas' overhead on each of its many small
# operations (issue 18: every call scores a few small frames).
Columns = dict[str, Any]


def _columns(frame: pd.DataFrame) -> Columns:
    return {name: frame[name].array for name in frame.columns}


def _rows(columns: Columns | pd.DataFrame, names: list[str]) -> list[SimpleNamespace]:
    """The rows of these columns, one attribute per column holding a Python value (what
    itertuples gives: float, int, bool, str, Timestamp)."""
    values = [columns[name].tolist() for name in names]
    return [
        SimpleNamespace(**dict(zip(names, row, strict=True))) for row in zip(*values, strict=True)
    ]


def _scored(columns: Columns, min_responses: int) -> Columns:
    """The columns with their counts as numbers (missing = 0) and with_scores' columns after."""
    counts = {column: _counts(columns[column]) for column in COUNTS}
    n = counts["responses"].astype(float)
    got = {column: values.astype(float) for column, values in counts.items()}
    kind = np.asarray(columns["survey_type"], dtype=object)
    values = {
        "nps": measures.nps(got["promoters"], got["detractors"], n),
        "csat": measures.csat(got["satisfied"], n),
        "ces": measures.ces(got["score_sum"], n),
    }
    margins = {
        "nps": measures.nps_margin(got["promoters"], got["detractors"], n),
        "csat": measures.csat_margin(got["satisfied"], n),
        "ces": measures.ces_margin(got["score_sum"], got["score_squares"], n),
    }
    passives = counts["responses"] - counts["promoters"] - counts["detractors"]
    passives = np.where(kind == "nps", passives, 0)
    return {
        **columns,
        **counts,
        "value": _by_kind(kind, values),
        "margin": _by_kind(kind, margins),
        "passives": passives,
        "promoter_share": measures.ratio(counts["promoters"], n),
        "passive_share": measures.ratio(passives, n),
        "detractor_share": measures.ratio(counts["detractors"], n),
        "is_reliable": counts["responses"] >= min_responses,
    }


def _counts(values) -> np.ndarray:
    """pd.to_numeric(values).fillna(0), as an array."""
    array = np.asarray(values)
    if array.dtype.kind in "iu":
        return array
    if array.dtype.kind == "f":
        return np.where(np.isnan(array), 0, array)
    return pd.to_numeric(pd.Series(array)).fillna(0).to_numpy()


def _by_kind(kind: np.ndarray, columns: dict[str, np.ndarray]) -> np.ndarray:
    return np.select(
        [kind == k for k in columns],
        [np.asarray(c, dtype=float) for c in columns.values()],
        np.nan,
    )


def value_words(survey_type: str, value: float | None) -> str:
    """'24', '81.3%' or '2.84': a score as people read it."""
    if survey_type == "nps":
        return formatting.score(value)
    if survey_type == "csat":
        return formatting.percent(value)
    return formatting.mean(value)


def margin_words(survey_type: str, margin: float | None) -> str:
    """'±7.8 pts' (NPS and CSAT, as the overview's tiles write them) or '±0.21' (CES)."""
    if margin is None or pd.isna(margin):
        return "± not defined"
    if survey_type in ("nps", "csat"):
        return f"±{margin:.1f} pts"
    return f"±{margin:.2f}"


def count_of(n: float, noun: str = "answer") -> str:
    return f"{formatting.count(n)} {noun}{'' if n == 1 else 's'}"


def move_words(
    survey_type: str, before: float, after: float, margin: float | None
) -> tuple[str, str, bool]:
    """('rose', '±8): beyond noise', True): the verb, the margin and verdict that close the
    sentence, and whether the change is larger than its margin."""
    beyond = margin is not None and not pd.isna(margin) and abs(after - before) > margin
    verb = "rose" if after > before else "fell" if after < before else "held"
    effort = ""
    if survey_type == "ces" and after != before:
        effort = ", more effort" if after > before else ", less effort"
    noise = "beyond noise" if beyond else "within noise"
    return verb, f"{margin_words(survey_type, margin)}{effort}): {noise}", beyond


def difference_words(survey_type: str, difference: float) -> str:
    """'19 points', '2.6 pts' or '0.04': the size of a gap, without its sign."""
    size = abs(difference)
    if survey_type == "nps":
        return f"{size:.0f} point{'' if round(size) == 1 else 's'}"
    if survey_type == "csat":
        return f"{size:.1f} pts"
    return f"{size:.2f}"


# --- the trend ------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """Answers per survey type and period, on a full calendar (empty periods hold 0)."""

    points: pd.DataFrame  # counts, value, margin, is_reliable, rolling_* per type x period
    grain: str
    min_responses: int
    rolling: int
    undated: dict[str, int]  # answers with no date per type: in no period
    changes: dict[str, list[str]] = field(default_factory=dict)  # beyond noise, in words


def _check(grain: str, rolling: int, min_responses: int) -> None:
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {', '.join(GRAINS)}, not {grain!r}")
    if rolling < 1 or min_responses < 1:
        raise ValueError("rolling and min_responses must be 1 or more")


def _by_period(cur: duckdb.DuckDBPyConnection, filters: Filters, grain: str) -> pd.DataFrame:
    return queries.run(cur, "satisfaction_by_period", {**filters.params(), "grain": grain})


def trend(
    cur: duckdb.DuckDBPyConnection,
    filters: Filters,
    grain: str = "month",
    min_responses: int = MIN_RESPONSES,
    rolling: int = 1,
) -> Trend:
    """NPS, CSAT and CES per period with counts and margins; with rolling > 1, also the
    answers of the last `rolling` periods pooled (a point needs that many periods of data)."""
    _check(grain, rolling, min_responses)
    rows = _by_period(cur, filters, grain)
    is_dated = rows["period_start"].notna().to_numpy()
    table = _columns(rows)
    scored = _scored(_calendar(_picked(table, is_dated), grain), min_responses)
    points = pd.DataFrame({**scored, **_rolling(scored, rolling, min_responses)})
    point_rows = _point_rows(points)
    return Trend(
        points=points,
        grain=grain,
        min_responses=min_responses,
        rolling=rolling,
        undated=_responses_by_kind(_picked(table, ~is_dated)),
        changes={k: _changes(point_rows, k, grain) for k in SURVEYS},
    )


def _picked(columns: Columns, rows: np.ndarray) -> Columns:
    """The rows where `rows` is true (a boolean array), each column keeping its dtype."""
    return {name: values[rows] for name, values in columns.items()}


def _responses_by_kind(columns: Columns) -> dict[str, int]:
    """Answers per survey type, types in order."""
    kind = np.asarray(columns["survey_type"], dtype=object)
    responses = np.asarray(columns["responses"])
    return {k: int(np.nansum(responses[kind == k])) for k in sorted(set(kind))}


def _calendar(dated: Columns, grain: str) -> Columns:
    """Every period from the first to the last with answers (any type), for each type; a
    period with no answer of a type holds 0 (a row off the calendar is left out)."""
    if not len(dated["survey_type"]):
        columns = ["survey_type", "period_start", *COUNTS]
        empty = pd.DataFrame({c: pd.Series(dtype=float) for c in columns})
        return _columns(empty.astype({"survey_type": str, "period_start": "datetime64[us]"}))
    starts = pd.to_datetime(dated["period_start"])
    periods = pd.date_range(starts.min(), starts.max(), freq=FREQUENCIES[grain])
    kind = np.asarray(dated["survey_type"], dtype=object)
    kinds = sorted(set(kind))
    # each row's place on the calendar: types one after the other, each over every period
    at = periods.get_indexer(starts)
    place = np.searchsorted(kinds, kind) * len(periods) + at
    on = at >= 0
    filled = {}
    for column in COUNTS:
        values = np.asarray(dated[column])
        filled[column] = np.zeros(len(kinds) * len(periods), dtype=values.dtype)
        filled[column][place[on]] = values[on]
    return {
        "survey_type": np.repeat(np.array(kinds, dtype=object), len(periods)),
        "period_start": np.tile(periods.to_numpy(), len(kinds)),
        **filled,
    }


def _rolling(points: Columns, rolling: int, min_responses: int) -> Columns:
    """rolling_responses, rolling_value, rolling_margin and rolling_reliable: the answers of
    the last `rolling` periods of each type pooled (NaN until there are that many)."""
    size = len(points["survey_type"])
    if rolling == 1 or not size:
        nothing = np.full(size, np.nan)
        return {
            "rolling_responses": nothing,
            "rolling_value": nothing,
            "rolling_margin": nothing,
            "rolling_reliable": np.zeros(size, dtype=bool),
        }
    counts = pd.DataFrame({c: points[c] for c in ["survey_type", *COUNTS]})
    pooled = counts.groupby("survey_type")[COUNTS].transform(
        lambda s: s.rolling(rolling, min_periods=rolling).sum()
    )
    pooled = {"survey_type": points["survey_type"], **_columns(pooled)}
    scored = _scored(pooled, min_responses)
    complete = ~np.isnan(np.asarray(pooled["responses"]))
    return {
        "rolling_responses": np.asarray(pooled["responses"]),
        "rolling_value": np.where(complete, scored["value"], np.nan),
        "rolling_margin": np.where(complete, scored["margin"], np.nan),
        "rolling_reliable": complete & scored["is_reliable"],
    }


def changes(points: pd.DataFrame, survey_type: str, grain: str) -> list[str]:
    """Moves beyond noise between consecutive reliable periods, newest first, in words:
    'NPS rose from 12 in Jan 2026 to 24 in Mar 2026 (±8): beyond noise.'

    Periods under the minimum sample are skipped (they are never read as points), so the
    comparison is with the previous reliable period; the margin is that of the difference,
    √(m1² + m2²). The raw periods are compared, never the rolling average (whose windows
    overlap)."""
    return _changes(_point_rows(points), survey_type, grain)


def _point_rows(points: pd.DataFrame) -> list[SimpleNamespace]:
    return _rows(points, ["survey_type", "is_reliable", "period_start", "value", "margin"])


def _changes(points: list[SimpleNamespace], survey_type: str, grain: str) -> list[str]:
    mine = [r for r in points if r.survey_type == survey_type and r.is_reliable]
    mine.sort(key=lambda r: r.period_start)
    said = []
    for before, after in zip(mine[:-1], mine[1:], strict=True):
        margin = measures.difference_margin(before.margin, after.margin)
        verb, tail, beyond = move_words(survey_type, before.value, after.value, margin)
        if beyond:
            said.append(
                f"{SURVEYS[survey_type]} {verb} from {value_words(survey_type, before.value)} "
                f"in {cohort_label(before.period_start, grain)} to "
                f"{value_words(survey_type, after.value)} in "
                f"{cohort_label(after.period_start, grain)} ({tail}."
            )
    return said[::-1]


# --- the headline tiles ---------------------------------------------------------------


def no_data(cur: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> dict[str, str]:
    """The page's parts whose input no load fed (core/needs.py): key -> the sentence with what
    to load or map. Keys: satisfaction, verbatims, satisfaction_behaviour."""
    return needs.page_notes(cur, needs.SATISFACTION, filters)


@dataclass(frozen=True)
class Headline:
    tiles: list[Tile]
    notes: list[str]
    compared: dict[str, str | None]  # the period vs the one before, in words; None: no period
    opening: str = "nps"  # the measure the page opens on (measure_with_data, from the same rows)


def totals(cur: duckdb.DuckDBPyConnection, filters: Filters, min_responses: int) -> pd.DataFrame:
    """One row per survey type for the whole filter period (undated answers count only when
    no period is chosen, product.md), with value, margin and is_reliable."""
    summed = _totals(_by_period(cur, filters, "quarter"), filters, min_responses)
    index = pd.Index(summed.pop("survey_type"), name="survey_type")
    return pd.DataFrame(summed, index=index)


def _totals(rows: pd.DataFrame, filters: Filters, min_responses: int) -> Columns:
    """totals' rows as columns, survey types in SURVEYS' order."""
    kept = rows["period_start"].notna().to_numpy() | (not filters.has_period)
    kind = rows["survey_type"].to_numpy(dtype=object)[kept]
    counts = {column: rows[column].to_numpy()[kept] for column in COUNTS}
    if all(map(_whole, counts.values())):
        summed = _sums_by_kind(kind, counts)
    else:  # scores with decimals: pandas' own sums, whose last digit depends on their order
        by_kind = rows[kept].groupby("survey_type")[COUNTS].sum().reindex(list(SURVEYS))
        summed = {column: by_kind[column].to_numpy() for column in COUNTS}
    return _scored({"survey_type": list(SURVEYS), **summed}, min_responses)


def _whole(values: np.ndarray) -> bool:
    """Whole numbers whose sums stay exact in a double, so adding them in any order gives the
    one total pandas gives (missing values skipped)."""
    if values.dtype.kind in "iub":
        return True
    present = values[~np.isnan(values)]
    return bool(np.all(present == np.floor(present)) and np.abs(present).sum() < 2**53)


def _sums_by_kind(kind: np.ndarray, counts: Columns) -> Columns:
    """The counts summed per survey type, in SURVEYS' order, as rows.groupby("survey_type")
    [COUNTS].sum() reindexed on SURVEYS gives them: a type with no row is NaN, turning whole
    numbers into floats."""
    mine = [kind == k for k in SURVEYS]
    everyone = all(rows.any() for rows in mine)
    return {
        column: np.array(
            [np.nansum(values[rows]) if rows.any() else np.nan for rows in mine],
            dtype=values.dtype if everyone else float,
        )
        for column, values in counts.items()
    }


def _survey_totals(
    cur: duckdb.DuckDBPyConnection, filters: Filters, min_responses: int
) -> dict[str, SimpleNamespace]:
    """totals' rows by survey type, read from the quarters."""
    rows = _by_period(cur, filters, "quarter")
    return _by_survey(_totals(rows, filters, min_responses))


def _by_survey(summed: Columns) -> dict[str, SimpleNamespace]:
    """The rows of _totals by survey type."""
    names = [name for name in summed if name != "survey_type"]
    return dict(zip(SURVEYS, _rows(summed, names), strict=True))


def headline(
    cur: duckdb.DuckDBPyConnection, filters: Filters, min_responses: int = MIN_RESPONSES
) -> Headline:
    """NPS, CSAT and CES for the period, each with its margin, answers, and the change vs
    the previous period of equal length judged against the margin of the difference."""
    rows = _by_period(cur, filters, "quarter")
    now = _by_survey(_totals(rows, filters, min_responses))
    before_filters = filters.previous_period()
    before = _survey_totals(cur, before_filters, min_responses) if before_filters else None
    tiles, said = [], {}
    for kind, label in SURVEYS.items():
        row = now[kind]
        measure = measures.MEASURES[kind]
        delta, compared, margin = None, "Pick a period to compare with the one before.", None
        if before is not None:
            delta, compared, margin = _compared(kind, row, before[kind], before_filters)
        said[kind] = compared if before is not None else None
        # One margin per tile, named: the change's (its verdict heads the caption, the same
        # number as "Changes that matter") when there is a change, else the level's.
        caption = count_of(row.responses)
        if row.responses and margin is None:
            caption = f"Margin of error {margin_words(kind, row.margin)} · {caption}"
        if row.responses and not row.is_reliable:
            caption += f" (under {min_responses}: too few to read)"
        tile = Tile(
            kind,
            label,
            value_words(kind, row.value),
            delta,
            measure.higher_is_better,
            caption,
            f"{DEFINITIONS[kind]} ± is the 95% margin of error. {compared}",
        )
        # The tile follows the noise test the sentence below it runs: a change within the
        # margin of the difference is grey and says so (issue 19, point 3).
        change = None if delta is None else row.value - before[kind].value
        tiles.append(within_noise(tile, margin, margin_words(kind, margin), change, beyond=True))
    unfed = needs.no_data_reasons(cur, needs.OVERVIEW, filters)  # the same NPS, CSAT, CES measures
    tiles = [
        replace(t, value=formatting.MISSING, delta=None, caption=f"No data: {why}.", no_data=why)
        if (why := unfed.get(t.key))
        else t
        for t in tiles
    ]
    return Headline(tiles, _undated_notes(rows, filters), said, _first_with_data(now))


def _compared(
    kind: str, row, previous, before_filters: Filters
) -> tuple[str | None, str, float | None]:
    """(the tile's delta, a sentence, the margin of the difference): 'Against 1 Nov 2024 –
    31 Oct 2025 (939 answers): NPS rose from 7 to 26 (±7): beyond noise.'"""
    when = f"{describe_period(before_filters)} ({count_of(previous.responses)})"
    if not (row.is_reliable and previous.is_reliable):
        return (
            None,
            f"Against {when}: too few {SURVEYS[kind]} answers on one side to compare.",
            None,
        )
    margin = measures.difference_margin(row.margin, previous.margin)
    verb, tail, _ = move_words(kind, previous.value, row.value, margin)
    delta = formatting.delta(row.value, previous.value, measures.MEASURES[kind].unit)
    sentence = (
        f"Against {when}: {SURVEYS[kind]} {verb} from {value_words(kind, previous.value)} "
        f"to {value_words(kind, row.value)} ({tail}."
    )
    return delta, sentence, margin


def _undated_notes(rows: pd.DataFrame, filters: Filters) -> list[str]:
    undated = int(np.nansum(rows["responses"].to_numpy()[rows["period_start"].isna().to_numpy()]))
    if not undated:
        return []
    if filters.has_period:
        return [f"Left out of the period and the trend: {count_of(undated)} with no date."]
    return [
        f"Answers with no date ({formatting.count(undated)}) count in these totals but in no "
        "period of the trend."
    ]


# --- for whom -------------------------------------------------------------------------


@dataclass(frozen=True)
class Breakdown:
    groups: pd.DataFrame  # one row per type x group: value, margin, previous_*, is_beyond
    moved: dict[str, list[str]]  # groups whose score moved beyond noise vs the prior period
    compared_with: str | None  # the prior period in words, None without a period


def breakdown(
    cur: duckdb.DuckDBPyConnection,
    filters: Filters,
    dimension: str = "segment",
    min_responses: int = MIN_RESPONSES,
) -> Breakdown:
    """Each measure per segment, channel, account owner or region, with the previous period
    of equal length beside it (when a period is chosen) and the moves beyond noise."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"No breakdown by {dimension!r}; choose one of {', '.join(DIMENSIONS)}.")
    now, prior = _groups(cur, filters, dimension, min_responses)
    prior_filters = filters.previous_period()
    if prior_filters is None or not len(now["survey_type"]):
        return Breakdown(_unmatched(now), {k: [] for k in SURVEYS}, None)
    out = {**now, **_previous(now, prior)}
    moved: dict[str, list[str]] = {k: [] for k in SURVEYS}
    beyond = []
    names = ["survey_type", "group_value", "value", "margin", "is_reliable"]
    previous = ["previous_value", "previous_margin", "previous_reliable"]
    for row in _rows(out, names + previous):
        ok = row.is_reliable and row.previous_reliable
        margin = measures.difference_margin(row.margin, row.previous_margin) if ok else None
        verb, tail, is_beyond = (
            move_words(row.survey_type, row.previous_value, row.value, margin)
            if ok
            else ("", "", False)
        )
        beyond.append(is_beyond)
        if is_beyond:
            moved[row.survey_type].append(
                f"{row.group_value}: {SURVEYS[row.survey_type]} {verb} from "
                f"{value_words(row.survey_type, row.previous_value)} to "
                f"{value_words(row.survey_type, row.value)} ({tail}."
            )
    out["is_beyond"] = np.array(beyond, dtype=bool)
    return Breakdown(pd.DataFrame(out), moved, describe_period(prior_filters))


def _unmatched(now: Columns) -> pd.DataFrame:
    """The groups with no previous period beside them (none chosen, or no group now)."""
    size = len(now["survey_type"])
    nothing = np.full(size, np.nan)
    no = np.zeros(size, dtype=bool)
    previous = {"previous_value": nothing, "previous_margin": nothing}
    previous |= {"previous_responses": nothing, "previous_reliable": no, "is_beyond": no}
    return pd.DataFrame({**now, **previous})


def _previous(now: Columns, prior: Columns) -> Columns:
    """previous_value, previous_margin, previous_responses and previous_reliable: the same
    survey type and group in the previous period, as a left merge on the two puts them beside
    each group (a group with none: NaN, turning whole numbers into floats, and not reliable)."""
    keys = zip(prior["survey_type"].tolist(), prior["group_value"].tolist(), strict=True)
    place = {key: i for i, key in enumerate(keys)}
    keys = zip(now["survey_type"].tolist(), now["group_value"].tolist(), strict=True)
    at = np.array([place.get(key, -1) for key in keys], dtype=int)
    found = at >= 0
    reliable = np.zeros(len(at), dtype=bool)
    reliable[found] = prior["is_reliable"][at[found]]
    return {
        "previous_value": _looked_up(prior["value"], at),
        "previous_margin": _looked_up(prior["margin"], at),
        "previous_responses": _looked_up(prior["responses"], at),
        "previous_reliable": reliable,
    }


def _looked_up(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """values[at], NaN where `at` is -1 (a float array then)."""
    found = at >= 0
    if found.all():
        return values[at]
    out = np.full(len(at), np.nan)
    out[found] = values[at[found]]
    return out


def _groups(
    cur: duckdb.DuckDBPyConnection, filters: Filters, dimension: str, min_responses: int
) -> tuple[Columns, Columns]:
    """The groups of the period and of the previous one, scored: one query reads both."""
    params = {**filters.params(), "dimension": dimension}
    rows = queries.run(cur, "satisfaction_breakdown_periods", params)
    previous = rows.pop("is_previous").to_numpy(dtype=bool)
    table = _columns(rows)
    return tuple(_scored(_picked(table, previous == flag), min_responses) for flag in (False, True))


# --- joined to behaviour --------------------------------------------------------------

OUTCOMES = {
    "ordered": "Ordered within {days} days after answering",
    "not_ordered": "No order within {days} days",
}
LEFT_OUT = {
    "window_open": "answers given less than {days} days before the data's last order, too "
    "early to tell",
    "no_account": "answers with no account id",
    "no_orders": "every answer, as no dated order is loaded",
}


def outcome_labels(window_days: int) -> dict[str, str]:
    return {k: v.format(days=window_days) for k, v in OUTCOMES.items()}


def behaviour_note(view: Behaviour, survey_type: str) -> str:
    """What the comparison of `survey_type` counts and leaves out, in words (its own answers
    only: the chart beside it shows one measure)."""
    days = view.window_days
    parts = [
        f"An answer counts as followed by an order when its account placed an order in the "
        f"{days} days after it; each answer counts once (an account answering twice counts "
        "twice)."
    ]
    left = [
        f"{LEFT_OUT[k].format(days=days)} ({count_of(n)})"
        for k, n in view.left_out.get(survey_type, {}).items()
        if n
    ]
    if left:
        parts.append(f"Left out: {'; '.join(left)}.")
    return " ".join(parts)


def reorder_words(view: Behaviour, survey_type: str) -> list[str]:
    """'98.4% of promoters (364) ordered within 90 days', one per answer class."""
    mine = view.reorder[view.reorder["survey_type"] == survey_type]
    names = {"satisfied": "satisfied answers", "not satisfied": "other CSAT answers"}
    return [
        f"{formatting.ratio(r.share_ordered)} of {names.get(r.answer_class, r.answer_class)} "
        f"({formatting.count(r.answers)}) were followed by an order within {view.window_days} days"
        for r in mine.itertuples()
        if r.answers
    ]


@dataclass(frozen=True)
class Behaviour:
    groups: pd.DataFrame  # one row per type x outcome ('ordered', 'not_ordered'), scored
    reorder: pd.DataFrame  # per type x answer class: answers, ordered, share ordered
    # per survey type, answers not compared: window_open, no_account, no_orders
    left_out: dict[str, dict[str, int]]
    window_days: int
    gap: dict[str, str]  # the two groups compared, in words, per type


def behaviour(
    cur: duckdb.DuckDBPyConnection,
    filters: Filters,
    window_days: int = DEFAULT_WINDOW,
    min_responses: int = MIN_RESPONSES,
) -> Behaviour:
    """Satisfaction of answers followed by an order within window_days vs those not; and
    how often promoters, passives, detractors (satisfied / not) ordered again."""
    if window_days < 1:
        raise ValueError("window_days must be 1 or more")
    rows = queries.run(
        cur, "satisfaction_behaviour", {**filters.params(), "window_days": window_days}
    )
    table = _columns(rows)
    is_compared = np.array([outcome in OUTCOMES for outcome in table["outcome"].tolist()], bool)
    groups = _scored(_picked(table, is_compared), min_responses)
    names = ["survey_type", "outcome", "responses", "value", "margin", "is_reliable"]
    compared = _rows(groups, names)
    return Behaviour(
        groups=pd.DataFrame(groups),
        reorder=_reorder(groups),
        left_out=_left_out(_rows(_picked(table, ~is_compared), names[:3])),
        window_days=window_days,
        gap={k: _gap_words(compared, k, window_days) for k in SURVEYS},
    )


def _left_out(rows: list[SimpleNamespace]) -> dict[str, dict[str, int]]:
    """Answers not compared, per survey type (in order) and reason."""
    out: dict[str, dict[str, int]] = {}
    for row in rows:
        out.setdefault(row.survey_type, {})[row.outcome] = int(row.responses)
    return dict(sorted(out.items()))


def _reorder(compared: Columns) -> pd.DataFrame:
    """Share of each answer class that ordered within the window."""
    kind = np.asarray(compared["survey_type"], dtype=object)
    ordered = np.asarray(compared["outcome"], dtype=object) == "ordered"
    answered = compared["responses"]
    counts = {
        "promoters": compared["promoters"],
        "detractors": compared["detractors"],
        "passives": answered - compared["promoters"] - compared["detractors"],
        "satisfied": compared["satisfied"],
        "not satisfied": answered - compared["satisfied"],
    }
    parts = []
    for survey, classes in (
        ("nps", ("promoters", "passives", "detractors")),
        ("csat", ("satisfied", "not satisfied")),
    ):
        mine = kind == survey
        for name in classes:
            answers = int(counts[name][mine].sum())
            did = int(counts[name][mine & ordered].sum())
            parts.append((survey, name, answers, did, measures.ratio(did, answers)))
    return pd.DataFrame(
        parts, columns=["survey_type", "answer_class", "answers", "ordered", "share_ordered"]
    )


def _gap_words(compared: list[SimpleNamespace], kind: str, window_days: int) -> str:
    mine = {row.outcome: row for row in compared if row.survey_type == kind}
    if not {"ordered", "not_ordered"} <= set(mine):
        return (
            f"Every compared {SURVEYS[kind]} answer falls on one side (ordered or not within "
            f"{window_days} days), so there is nothing to compare."
        )
    did, did_not = mine["ordered"], mine["not_ordered"]
    if not (did.is_reliable and did_not.is_reliable):
        few = did if did.responses < did_not.responses else did_not
        return (
            f"Too few {SURVEYS[kind]} answers on one side ({count_of(few.responses)}) to "
            "compare: try a shorter window, a longer period or a lower minimum."
        )
    margin = measures.difference_margin(did.margin, did_not.margin)
    gap = did.value - did_not.value
    beyond = margin is not None and abs(gap) > margin
    higher = "higher" if gap > 0 else "lower" if gap < 0 else "no different"
    size = f" by {difference_words(kind, gap)}" if gap else ""
    return (
        f"{SURVEYS[kind]} of answers followed by an order: {value_words(kind, did.value)}, "
        f"against {value_words(kind, did_not.value)} for the others; {higher}{size} "
        f"({margin_words(kind, margin)}): {'beyond noise' if beyond else 'within noise'}."
    )


# --- verbatims ------------------------------------------------------------------------


@dataclass(frozen=True)
class Verbatims:
    table: pd.DataFrame  # for people: date, survey, score, answer, account, comment ...
    matching: int  # comments matching in all (the table holds at most the limit)


def verbatims(
    cur: duckdb.DuckDBPyConnection,
    filters: Filters,
    survey_type: str = "",
    search: str = "",
    limit: int = VERBATIM_LIMIT,
) -> Verbatims:
    """Comments for the filters, newest first, optionally one survey type and containing
    `search` (any case; bound as a parameter, its % and _ matched literally)."""
    if survey_type and survey_type not in SURVEYS:
        raise ValueError(f"survey_type must be one of {', '.join(SURVEYS)} or empty")
    text = search.strip()[:MAX_SEARCH_LENGTH]
    rows = queries.run(
        cur,
        "satisfaction_verbatims",
        {
            **filters.params(),
            "survey_type": survey_type or None,
            "search": text or None,
            "limit": limit,
        },
    )
    matching = int(rows["count_matching"].iloc[0]) if len(rows) else 0
    scores = rows["score"].tolist(), rows["scale_max"].tolist()
    surveys = [SURVEYS.get(k, np.nan) for k in rows["survey_type"].tolist()]
    table = pd.DataFrame(
        {
            "Date": pd.to_datetime(rows["responded_at"]).dt.date.array,
            "Survey": pd.array(surveys, dtype="str"),
            "Score": [_score_words(s, m) for s, m in zip(*scores, strict=True)],
            "Answer": rows["answer_class"].fillna("").str.capitalize().array,
            "Account": rows["account_name"].fillna("Unknown account").array,
            "Segment": rows["segment"].fillna("").array,
            "Channel": rows["channel"].fillna("").array,
            "Comment": rows["comment"].array,
        }
    )
    return Verbatims(table, matching)


def _score_words(score: float | None, scale_max: float | None) -> str:
    """'9 / 10', '4' (no scale known) or '' (no score)."""
    if score is None or score != score:  # NaN: no score
        return ""
    if scale_max is None or scale_max != scale_max:
        return f"{score:g}"
    return f"{score:g} / {scale_max:g}"


# --- the CLI --------------------------------------------------------------------------


def kpi_rows(cur: duckdb.DuckDBPyConnection, filters: Filters) -> list[dict[str, object]]:
    """`crm-dashboard kpis` "satisfaction_by_month": NPS and CSAT (0–100) per month of
    responded_at with their answer counts; months with no NPS or CSAT answer are left out."""
    rows = _by_period(cur, filters, "month")
    rows = rows[rows["period_start"].notna() & rows["survey_type"].isin(["nps", "csat"])]
    scored = with_scores(rows)
    out = []
    for month, part in scored.groupby("period_start", sort=True):
        by_kind = part.set_index("survey_type")
        entry: dict[str, object] = {"month": f"{pd.Timestamp(month):%Y-%m}"}
        for kind in ("nps", "csat"):
            found = kind in by_kind.index
            entry[kind] = _plain(by_kind.at[kind, "value"]) if found else None
            entry[f"{kind}_responses"] = int(by_kind.at[kind, "responses"]) if found else 0
        out.append(entry)
    return out


def _plain(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


# --- words for the page ---------------------------------------------------------------


def period_words(grain: str, rolling: int) -> str:
    unit = GRAINS[grain].lower()
    return "Off" if rolling == 1 else f"{rolling} {unit}s, answers pooled"


def scope_note(grain: str, min_responses: int, rolling: int) -> str:
    unit = GRAINS[grain].lower()
    rolled = (
        f" The rolling line pools the answers of the last {rolling} {unit}s (a point needs "
        f"{rolling} {unit}s of data and {min_responses} answers)."
        if rolling > 1
        else ""
    )
    return (
        f"Answers placed by the day they were given. Bars are 95% margins of error; a {unit} "
        f"with fewer than {min_responses} answers is a grey hollow point, too few to read."
        f"{rolled}"
    )


def measure_with_data(cur: duckdb.DuckDBPyConnection, filters: Filters) -> str:
    """The measure the page opens on: the first of NPS, CSAT, CES with any answer for these
    filters (an export with only CSAT opens on CSAT, not on an empty NPS); NPS when none has."""
    return _first_with_data(_survey_totals(cur, filters, MIN_RESPONSES))


def _first_with_data(totals_: dict[str, SimpleNamespace]) -> str:
    return next((kind for kind in SURVEYS if totals_[kind].responses > 0), "nps")
