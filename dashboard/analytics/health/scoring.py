"""Pure scoring: metric values in, points, part scores and an overall score out, explained.

No DuckDB and no Streamlit here, so the page's what-if sliders re-score without a query.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import pandas as pd


@dataclass(frozen=True)
class MetricSpec:
    metric: str
    weight: float
    floor: float  # 0 points at or beyond this value
    target: float  # 100 points at or beyond this one; floor > target means lower is better


@dataclass(frozen=True)
class PartSpec:
    name: str
    metrics: tuple[MetricSpec, ...]


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    description: str
    parts: tuple[PartSpec, ...]
    bands: tuple[float, float] = (50.0, 75.0)  # weak below the first, strong from the second

    def with_metric(self, part: str, metric: str, **changes: float) -> Preset:
        """A copy with one metric's weight/floor/target changed (the what-if sliders)."""
        parts = tuple(
            replace(
                p,
                metrics=tuple(
                    replace(m, **changes) if p.name == part and m.metric == metric else m
                    for m in p.metrics
                ),
            )
            for p in self.parts
        )
        return replace(self, parts=parts)


@dataclass(frozen=True)
class MetricScore:
    metric: str
    value: float | None
    floor: float
    target: float
    weight: float
    points: float | None  # None = no data: left out of the part, never counted as zero

    @property
    def missing(self) -> bool:
        return self.points is None


@dataclass(frozen=True)
class PartScore:
    name: str
    score: float | None  # None when none of its metrics has data
    metrics: tuple[MetricScore, ...]

    @property
    def missing(self) -> list[str]:
        return [m.metric for m in self.metrics if m.missing]


@dataclass(frozen=True)
class Score:
    preset: str
    overall: float | None
    parts: tuple[PartScore, ...] = field(default=())

    def part(self, name: str) -> PartScore:
        return next(p for p in self.parts if p.name == name)


def _has_value(value: float | None) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def points(value: float | None, floor: float, target: float) -> float | None:
    """0 at the floor, 100 at the target, linear between, clamped; either direction."""
    if not _has_value(value):
        return None
    if target == floor:  # config refuses this; a what-if slider can still land on it
        return 100.0 if float(value) >= target else 0.0
    share = (float(value) - floor) / (target - floor)
    return 100.0 * min(1.0, max(0.0, share))


def weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    """Weighted mean of (value, weight) pairs with a positive weight; None with none."""
    kept = [(v, w) for v, w in pairs if w > 0]
    total = sum(w for _, w in kept)
    return None if not kept or total <= 0 else sum(v * w for v, w in kept) / total


def score(preset: Preset, values: Mapping[str, float | None]) -> Score:
    """Score every part of the preset from metric values (a metric absent from values = no data)."""
    parts = []
    for part in preset.parts:
        scored = tuple(
            MetricScore(
                m.metric,
                values.get(m.metric),
                m.floor,
                m.target,
                m.weight,
                points(values.get(m.metric), m.floor, m.target),
            )
            for m in part.metrics
        )
        value = weighted_mean([(s.points, s.weight) for s in scored if s.points is not None])
        parts.append(PartScore(part.name, value, scored))
    present = [p.score for p in parts if p.score is not None]
    overall = sum(present) / len(present) if present else None
    return Score(preset.key, overall, tuple(parts))


def explanation(part: PartScore) -> pd.DataFrame:
    """One row per metric of a part: value, floor, target, points, weight, whether data lacked."""
    return pd.DataFrame(
        [
            {
                "metric": m.metric,
                "value": m.value if _has_value(m.value) else None,
                "floor": m.floor,
                "target": m.target,
                "points": m.points,
                "weight": m.weight,
                "missing": m.missing,
            }
            for m in part.metrics
        ],
        columns=["metric", "value", "floor", "target", "points", "weight", "missing"],
    )


def band(value: float | None, bands: tuple[float, float]) -> str:
    """'weak', 'fair' or 'strong' by the preset's colour bands; 'no data' without a score."""
    if value is None:
        return "no data"
    if value < bands[0]:
        return "weak"
    return "fair" if value < bands[1] else "strong"
