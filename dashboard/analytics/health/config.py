"""Health presets: the shipped presets.toml, optionally overridden by a user file, validated.

A user file (path in $CRM_DASHBOARD_HEALTH_CONFIG) uses the same layout: a preset with the key
of a shipped one replaces it, a new key adds a preset, and [bands] replaces the colour bands.
"""

from __future__ import annotations

import math
import os
import tomllib
from pathlib import Path

from dashboard.analytics.health.metrics import METRICS
from dashboard.analytics.health.scoring import MetricSpec, PartSpec, Preset
from dashboard.core import resources

SHIPPED = resources.folder("dashboard.analytics.health") / "presets.toml"
ENV_VAR = "CRM_DASHBOARD_HEALTH_CONFIG"
PARTS_PER_PRESET = 4
DEFAULT_PRESET = "engagement"


class HealthConfigError(ValueError):
    """The config has problems; .problems lists one clear sentence for each."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _metric_problems(where: str, entry: object) -> list[str]:
    if not isinstance(entry, dict):
        return [
            f'{where}: each metric must be a table like {{ metric = "nps", weight = 1, '
            "floor = 0, target = 50 }"
        ]
    name = entry.get("metric")
    problems = []
    if name not in METRICS:
        known = ", ".join(sorted(METRICS))
        problems.append(f"{where}: unknown metric {name!r} (known metrics: {known})")
    weight = _number(entry.get("weight", 1))
    if weight is None or weight <= 0:
        problems.append(
            f"{where} {name}: weight must be a positive number, got {entry.get('weight')!r}"
        )
    floor, target = _number(entry.get("floor")), _number(entry.get("target"))
    if floor is None or target is None:
        problems.append(f"{where} {name}: floor and target must both be numbers")
    elif floor == target:
        problems.append(f"{where} {name}: floor equals target ({floor:g}); they must differ")
    return problems


def problems_of(presets: dict, bands: object = None) -> list[str]:
    """Every problem in a `presets` table (and [bands]), one sentence each; [] when valid."""
    problems = []
    if bands is not None:
        low, high = (_number(v) for v in (bands.get("weak_below"), bands.get("strong_from")))
        if low is None or high is None or not 0 <= low <= high <= 100:
            problems.append(
                "[bands]: weak_below and strong_from must be numbers with "
                "0 <= weak_below <= strong_from <= 100"
            )
    for key, preset in presets.items():
        where = f"preset {key!r}"
        parts = preset.get("parts", []) if isinstance(preset, dict) else []
        if len(parts) != PARTS_PER_PRESET:
            problems.append(
                f"{where}: has {len(parts)} parts; a preset needs exactly "
                f"{PARTS_PER_PRESET} (the four C's)"
            )
        for number, part in enumerate(parts, start=1):
            name = part.get("name") if isinstance(part, dict) else None
            part_where = f"{where} part {name or number}"
            if not name:
                problems.append(f"{where} part {number}: needs a name")
            entries = part.get("metrics", []) if isinstance(part, dict) else []
            if not entries:
                problems.append(f"{part_where}: has no metric; give it at least one")
            for entry in entries:
                problems.extend(_metric_problems(part_where, entry))
    return problems


def _preset(key: str, raw: dict, bands: tuple[float, float]) -> Preset:
    parts = tuple(
        PartSpec(
            part["name"],
            tuple(
                MetricSpec(
                    m["metric"], float(m.get("weight", 1)), float(m["floor"]), float(m["target"])
                )
                for m in part["metrics"]
            ),
        )
        for part in raw["parts"]
    )
    return Preset(key, raw.get("label", key), raw.get("description", ""), parts, bands)


def _read(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise HealthConfigError(str(path), [f"not valid TOML ({error})"]) from error
    except OSError as error:
        raise HealthConfigError(str(path), [f"cannot be read ({error.strerror})"]) from error


def parse(documents: list[tuple[str, dict]]) -> dict[str, Preset]:
    """Presets from TOML documents in order, later ones overriding earlier ones by key."""
    raw_presets: dict[str, dict] = {}
    raw_bands: dict = {}
    for source, document in documents:
        presets = document.get("presets", {})
        bands = document.get("bands")
        if not isinstance(presets, dict):
            raise HealthConfigError(source, ["[presets] must be a table of presets"])
        problems = problems_of(presets, bands if isinstance(bands, dict) else None)
        if bands is not None and not isinstance(bands, dict):
            problems.append("[bands] must be a table with weak_below and strong_from")
        if problems:
            raise HealthConfigError(source, problems)
        raw_presets.update(presets)
        raw_bands.update(bands or {})
    cut = (float(raw_bands.get("weak_below", 50)), float(raw_bands.get("strong_from", 75)))
    return {key: _preset(key, raw, cut) for key, raw in raw_presets.items()}


def load(user_path: Path | str | None = None) -> dict[str, Preset]:
    """The shipped presets, then the user file's (argument, else $CRM_DASHBOARD_HEALTH_CONFIG)."""
    documents = [(str(SHIPPED), _read(SHIPPED))]
    user = user_path or os.environ.get(ENV_VAR)
    if user:
        documents.append((str(user), _read(Path(user))))
    return parse(documents)
