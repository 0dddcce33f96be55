"""What the health page and the CLI show, from metric values and a preset (no Streamlit)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import duckdb
import pandas as pd

from dashboard.analytics.health import config, metrics, scoring
from dashboard.core import empty, formatting, needs, noise, periods, queries
from dashboard.core.filters import SCOPE_KEYS, Filters
from dashboard.core.tiles import Tile, within_noise

LEADERBOARD_SIZE = 10
MIN_PARTS_FOR_RANK = 3  # an account is ranked only when this many parts have a score
BEYOND_CAP = 2.0  # for ranking only: points may run to 200 past the target (ties at 100 break)
BEYOND_PREFIX = "beyond:"  # account_scores' columns of part points allowed past the target
# The accounts tables, every column in words (issue 19, point 10), every number agreeing with
# the page's "Scores run 0–100": only the ranking score runs past 100, and says so.
RANKING = "ranking score (0–200)"
LEADERBOARD_NOTE = (
    "Customers only: accounts that have bought (an order or a won deal) by the end of the "
    "period. A prospect has no relationship yet to keep, widen or retain, so it is not ranked "
    "here. Ranked by the **ranking score (0–200)**: the mean of the parts with each metric's "
    "points allowed past its target, up to 200 (twice the distance from floor to target), so "
    "customers that all reach the targets still rank. **Health** and each **part** run 0–100 "
    "(100 = at target), as the tiles and bands. A part with no data for the customer is '—' "
    "and left out of its scores (never counted as 0); only customers with at least "
    f"{MIN_PARTS_FOR_RANK} parts with data are ranked."
)


def kpi_rows(
    cur: duckdb.DuckDBPyConnection, filters: Filters, preset: str = config.DEFAULT_PRESET
) -> dict[str, object]:
    """`crm-dashboard kpis` health: {preset, overall, parts: [{name, score, metrics}]}."""
    chosen = config.load()[preset]
    result = scoring.score(chosen, metrics.scope_values(cur, filters))
    used = {m.metric for part in result.parts for m in part.metrics}
    return {
        "preset": preset,
        # Metrics left out whatever the filters, because no load feeds their input.
        "no_data": {k: why for k, why in metrics.unfed(cur, filters).items() if k in used},
        "overall": result.overall,
        "parts": [
            {
                "name": part.name,
                "score": part.score,
                "metrics": [
                    {"name": m.metric, "value": m.value, "points": m.points} for m in part.metrics
                ],
            }
            for part in result.parts
        ],
    }


def _score_text(value: float | None) -> str:
    return formatting.MISSING if value is None or pd.isna(value) else f"{value:.0f}"


def _delta(now: float | None, before: float | None) -> str | None:
    if now is None or before is None:
        return None
    change = round(now - before)
    return f"{change:+d} point{'' if abs(change) == 1 else 's'}"


def noise_margin(accounts: int | None) -> float | None:
    """± points within which a health score's change is noise: the 95% margin of the change of
    a share at its widest (50%) over the accounts in scope in both periods,
    1.96·100·√(.25/n + .25/n). The parts are shares and rates over these accounts mapped
    onto 0-100, so a move smaller than a share's own noise is no news."""
    if not accounts:
        return None
    return noise.share_change(accounts / 2, accounts, accounts / 2, accounts)[0]


def margin_words(margin: float) -> str:
    """The health margin as a tile says it: whole points from 2 up ("±4 points"), one decimal
    below ("±1.2 points", "±0.4 points": at 100,000 accounts the margin is 0.44, which whole
    points showed as "±0"), "under ±0.1 points" below that."""
    if round(margin) >= 2:
        return f"±{margin:.0f} points"
    if margin < 0.1:
        return "under ±0.1 points"
    return f"±{margin:.1f} points"


def tiles(
    now: scoring.Score,
    before: scoring.Score | None,
    preset: scoring.Preset,
    filters: Filters,
    accounts: int | None = None,
) -> list[Tile]:
    """Overall and one tile per part, each with its change vs the previous period; a change
    within `noise_margin(accounts)` is grey and marked (issue 19, point 3)."""
    previous = filters.previous_period()
    compared = (
        f"Change vs {periods.describe_period(previous)}."
        if previous
        else "Pick a period to compare with the one before."
    )
    cards = [
        Tile(
            "overall",
            "Overall health",
            _score_text(now.overall),
            _delta(now.overall, before.overall if before else None),
            True,
            f"{scoring.band(now.overall, preset.bands)} · {_parts_words(now)}",
            f"Mean of the part scores that have data (0–100). {compared}",
        ),
    ]
    for part in now.parts:
        old = before.part(part.name).score if before else None
        missing = len(part.missing)
        caption = scoring.band(part.score, preset.bands)
        if missing:
            caption += f" · {missing} metric{'s' if missing > 1 else ''} without data"
        names = ", ".join(metrics.METRICS[m.metric].label for m in part.metrics)
        cards.append(
            Tile(
                part.name,
                part.name,
                _score_text(part.score),
                _delta(part.score, old),
                True,
                caption,
                f"Weighted mean of: {names}. {compared}",
            )
        )
    margin = noise_margin(accounts)
    changes = [_change(now.overall, before.overall if before else None)] + [
        _change(p.score, before.part(p.name).score if before else None) for p in now.parts
    ]
    return [
        within_noise(card, margin, margin_words(margin), change, beyond=True) if margin else card
        for card, change in zip(cards, changes, strict=True)
    ]


def _change(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def _parts_words(result: scoring.Score) -> str:
    """'mean of the parts', or of how many: a score on 1 of 4 parts is no whole picture."""
    scored = sum(p.score is not None for p in result.parts)
    if scored == len(result.parts):
        return "mean of the parts"
    if not scored:
        return "no part has data"
    return f"mean of the {scored} of {len(result.parts)} parts with data"


def weakest(result: scoring.Score) -> scoring.PartScore | None:
    scored = [p for p in result.parts if p.score is not None]
    return min(scored, key=lambda p: p.score) if scored else None


def explanation_table(part: scoring.PartScore) -> pd.DataFrame:
    """A part's metrics for people: value, floor, target, points, weight, data or not."""
    frame = scoring.explanation(part)
    rows = []
    for row in frame.to_dict("records"):
        metric = metrics.METRICS[row["metric"]]
        fmt = formatting.FORMATTERS[metric.unit]
        rows.append(
            {
                "metric": metric.label,
                "value": fmt(row["value"]) if not row["missing"] else "no data",
                "floor (0 points)": fmt(row["floor"]),
                "target (100 points)": fmt(row["target"]),
                "direction": "lower is better"
                if row["floor"] > row["target"]
                else "higher is better",
                "points": _score_text(row["points"]) if not row["missing"] else "left out",
                "weight": f"{row['weight']:g}",
                "what it counts": metric.definition,
            }
        )
    return pd.DataFrame(rows)


def segment_scores(data: metrics.HealthData, preset: scoring.Preset) -> pd.DataFrame:
    """Long frame: segment, part, score (None where a part has no data in that segment)."""
    rows = [
        {"segment": name, "part": part.name, "score": part.score}
        for name, values in data.segments.items()
        for part in scoring.score(preset, values).parts
    ]
    return pd.DataFrame(rows, columns=["segment", "part", "score"])


def trend(months: dict[date, dict], preset: scoring.Preset) -> pd.DataFrame:
    """Long frame: month_end (the trailing window's last day), part ('Overall' too), score."""
    rows = []
    for month, values in months.items():
        result = scoring.score(preset, values)
        rows.append({"month_end": month, "part": "Overall", "score": result.overall})
        rows += [{"month_end": month, "part": p.name, "score": p.score} for p in result.parts]
    return pd.DataFrame(rows, columns=["month_end", "part", "score"])


def trend_note(filters: Filters) -> str:
    """The trend's footnote for the period actually chosen: the window each point scores."""
    if filters.start_date and filters.end_date:
        days = (filters.end_date - filters.start_date).days + 1
        return (
            f"Each point scores a window of {days:,} days ending that day, as long as the "
            f"period chosen ({periods.describe_period(filters)}), so the last point is the "
            "tiles' score."
        )
    return (
        "No period is chosen, so each point scores the 365 days ending that day, over the "
        "last year of data; the tiles score all time."
    )


def account_scores(data: metrics.HealthData, preset: scoring.Preset) -> pd.DataFrame:
    """One row per account: overall, each part, how many parts had data, and `beyond`: the
    overall with points allowed past the target (up to BEYOND_CAP), which ranks accounts that
    all reach 100 (ties at the top said nothing about which is healthiest).

    scoring.score's arithmetic a column at a time (same order of operations, so the same
    numbers): every what-if rerun rescores 100,000 accounts in milliseconds."""
    accounts = data.accounts.reset_index(drop=True)
    named = accounts["account_name"]  # the id where the name is missing or empty
    names = named.where(named.notna() & named.ne(""), accounts["account_id"])
    out = pd.DataFrame(
        {"account_id": accounts["account_id"], "account": names, "segment": accounts["segment"]}
    )
    if "is_customer" in accounts:
        out["is_customer"] = accounts["is_customer"]
    overall, part_scores, parts_with_data = _scored(accounts, preset, cap=1.0)
    out["overall"] = overall
    for name, score in part_scores.items():
        out[name] = score
    out["parts_with_data"] = parts_with_data
    beyond, beyond_parts, _ = _scored(accounts, preset, cap=BEYOND_CAP)
    out["beyond"] = beyond
    for name, score in beyond_parts.items():  # the part's points, not stopped at the target
        out[BEYOND_PREFIX + name] = score
    return out


def _scored(
    accounts: pd.DataFrame, preset: scoring.Preset, cap: float
) -> tuple[pd.Series, dict[str, pd.Series], pd.Series]:
    """(overall, part -> score, parts with data) per account, points capped at cap × 100."""
    zero = pd.Series(0.0, index=accounts.index)
    overall_sum, parts_with_data = zero, zero.astype(int)
    part_scores = {}
    for part in preset.parts:
        num, total, kept = zero, zero, zero.astype(bool)
        for m in part.metrics:
            pts = _points(accounts, m, cap)
            used = pts.notna() & (m.weight > 0)
            num = num + (pts * m.weight).where(used, 0.0)
            total = total + zero.where(~used, m.weight)
            kept = kept | used
        score = (num / total).where(kept & (total > 0))
        part_scores[part.name] = score
        overall_sum = overall_sum + score.fillna(0.0)
        parts_with_data = parts_with_data + score.notna().astype(int)
    overall = (overall_sum / parts_with_data.where(parts_with_data > 0)).astype(float)
    return overall, part_scores, parts_with_data


def _points(accounts: pd.DataFrame, m: scoring.MetricSpec, cap: float = 1.0) -> pd.Series:
    """scoring.points for a column (cap 1: 100 at the target); NaN where the account has no
    value."""
    if m.metric not in accounts:
        return pd.Series(float("nan"), index=accounts.index)
    value = pd.to_numeric(accounts[m.metric], errors="coerce").astype(float)
    if m.target == m.floor:
        return (value >= m.target).astype(float).mul(100.0).where(value.notna())
    share = (value - m.floor) / (m.target - m.floor)
    return 100.0 * share.clip(lower=0.0, upper=cap)


def leaderboard(scores: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(best, worst) accounts among those with enough parts scored to compare fairly."""
    ranked = scores[scores["parts_with_data"] >= MIN_PARTS_FOR_RANK].dropna(subset=["overall"])
    if "is_customer" in ranked:  # customers only (LEADERBOARD_NOTE)
        ranked = ranked[ranked["is_customer"] > 0]
    if "beyond" not in ranked:  # ranked by the capped score alone
        ranked = ranked.assign(beyond=ranked["overall"])
    keys = ["beyond", "overall", "account_id"]  # the ranking score, shown first in the table
    best = _first(ranked, keys, [False, False, True], LEADERBOARD_SIZE)
    return best, _first(ranked, keys, [True, True, True], LEADERBOARD_SIZE)


def _first(frame: pd.DataFrame, keys: list[str], ascending: list[bool], n: int) -> pd.DataFrame:
    """frame.sort_values(keys, ascending=ascending).head(n), sorting only the rows whose first
    key reaches the n-th value (ties included), not 100,000 accounts twice on every rerun: the
    sort is stable, so the same rows in the same order."""
    first = frame[keys[0]]
    if len(frame) > n and first.notna().all():
        cut = (first.nsmallest(n) if ascending[0] else first.nlargest(n)).iloc[-1]
        frame = frame[first <= cut] if ascending[0] else frame[first >= cut]
    return frame.sort_values(keys, ascending=ascending).head(n)


def timeline(cur: duckdb.DuckDBPyConnection, filters: Filters, account_id: str) -> pd.DataFrame:
    """One account's deals, orders, touches and survey answers, newest first (whole history)."""
    scope = {k: v for k, v in filters.params().items() if k in SCOPE_KEYS}
    return queries.run(cur, "health_account_timeline", {"account_id": account_id, **scope})


def slider_range(spec: scoring.MetricSpec) -> tuple[str, float, float, float]:
    """(label, low, high, step) for a what-if target slider of this metric."""
    metric = metrics.METRICS[spec.metric]
    if metric.unit == "percent":
        return metric.label, 0.0, 100.0, 1.0
    if metric.unit == "score":
        return metric.label, -100.0, 100.0, 1.0
    return metric.label, 0.0, float(max(10.0, 2 * max(spec.floor, spec.target))), 0.1


def never_fed(result: scoring.Score, reasons: Mapping[str, str] | None) -> bool:
    """True when no metric of the preset has its input in any load: nothing to chart."""
    used = [m.metric for p in result.parts for m in p.metrics]
    return bool(reasons) and all(m in reasons for m in used)


def headline(
    result: scoring.Score,
    preset: scoring.Preset,
    reasons: Mapping[str, str] | None = None,
    filters: Filters | None = None,
) -> str:
    """The weakest part and its weakest metric, in one sentence; with no part scored, the true
    cause: the inputs no file gave (`reasons`, HealthData.no_data), else the filters."""
    part = weakest(result)
    if part is None:
        if never_fed(result, reasons):
            used = [m.metric for p in result.parts for m in p.metrics]
            why = needs.merged(reasons[m] for m in used)
            return f"No part has data whatever the filters: {why}."
        if filters is not None:
            return empty.nothing("part has data", filters)
        return "No part has data for these filters: widen the period or clear a filter."
    scored = [m for m in part.metrics if m.points is not None]
    low = min(scored, key=lambda m: m.points)
    label = metrics.METRICS[low.metric].label
    return (
        f"**Weakest part: {part.name}** ({part.score:.0f} of 100, "
        f"{scoring.band(part.score, preset.bands)}), held back most by *{label}* "
        f"({low.points:.0f} points)."
    )


def missing_notes(part: scoring.PartScore, reasons: Mapping[str, str] | None = None) -> list[str]:
    """Why each metric of the part is left out; with `reasons` (HealthData.no_data), what to
    map for those whose input no file gave."""
    reasons = reasons or {}
    return [
        f"{metrics.METRICS[name].label} has no data: {reasons[name]}, so it is left out of "
        f"{part.name} (not counted as zero)."
        if name in reasons
        else f"{metrics.METRICS[name].label} has no data for these filters, so it is left out "
        f"of {part.name} (not counted as zero)."
        for name in part.missing
    ]


def leaderboard_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Scores rounded for people, the ranking score (0–200) first, then health and each part
    on 0-100 (the caption's scale); a part with no data a dash. See LEADERBOARD_NOTE."""
    out = frame[["account", "segment"]].copy()
    if "beyond" in frame:
        out[RANKING] = frame["beyond"].map(_score_text)
    out["health (0–100)"] = frame["overall"].map(_score_text)
    skip = {"account_id", "account", "segment", "overall", "parts_with_data", "beyond",
            "is_customer"}  # fmt: skip
    parts = [c for c in frame.columns if c not in skip and not c.startswith(BEYOND_PREFIX)]
    for column in parts:
        out[column] = frame[column].map(_score_text)
    return out
