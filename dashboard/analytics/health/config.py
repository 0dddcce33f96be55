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
        self.source = source
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
    if not isinstance(name, str) or name not in METRICS:
        known = ", ".join(sorted(METRICS))
        problems.append(f"{where}: unknown metric {name!r} (known metrics: {known})")
        name = name if isinstance(name, str) else "metric"
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


def _text_problems(where: str, table: dict, keys: tuple[str, ...]) -> list[str]:
    """Keys that must hold text (a list or a number there broke the page: issue 21.8)."""
    return [
        f'{where}: {key} must be text in quotes, e.g. {key} = "Customer", got {table[key]!r}'
        for key in keys
        if key in table and not isinstance(table[key], str)
    ]


def _part_problems(where: str, number: int, part: object) -> list[str]:
    if not isinstance(part, dict):
        return [
            f'{where} part {number}: must be a table like {{ name = "Customer", metrics = [...] }}'
        ]
    name = part.get("name")
    problems = _text_problems(f"{where} part {number}", part, ("name",))
    if not name and not problems:
        problems.append(f'{where} part {number}: needs a name, e.g. name = "Customer"')
    part_where = f"{where} part {name if isinstance(name, str) and name else number}"
    entries = part.get("metrics", [])
    if not isinstance(entries, list):
        return [
            *problems,
            f"{part_where}: metrics must be a list of tables, e.g. metrics = "
            '[{ metric = "nps", weight = 1, floor = 0, target = 50 }], got ' + repr(entries),
        ]
    if not entries:
        problems.append(f"{part_where}: has no metric; give it at least one")
    for entry in entries:
        problems.extend(_metric_problems(part_where, entry))
    return problems


def _preset_problems(key: str, preset: object) -> list[str]:
    where = f"preset {key!r}"
    if not isinstance(preset, dict):
        return [
            f"{where}: must be a table, [presets.{key}] with label, description and parts, "
            f"got {preset!r}"
        ]
    problems = _text_problems(where, preset, ("label", "description"))
    parts = preset.get("parts", [])
    if not isinstance(parts, list):
        return [*problems, f"{where}: parts must be a list of four tables, got {parts!r}"]
    if len(parts) != PARTS_PER_PRESET:
        problems.append(
            f"{where}: has {len(parts)} parts; a preset needs exactly "
            f"{PARTS_PER_PRESET} (the four C's)"
        )
    for number, part in enumerate(parts, start=1):
        problems.extend(_part_problems(where, number, part))
    return problems


def problems_of(presets: dict, bands: object = None) -> list[str]:
    """Every problem in a `presets` table (and [bands]), one sentence each; [] when valid.
    Every value is type-checked before use: a config mistake is a sentence, never a
    TypeError (`metrics = 5`) or an unhashable list (`name = ["x"]`)."""
    problems = []
    if bands is not None:
        low, high = (_number(v) for v in (bands.get("weak_below"), bands.get("strong_from")))
        if low is None or high is None or not 0 <= low <= high <= 100:
            problems.append(
                "[bands]: weak_below and strong_from must be numbers with "
                "0 <= weak_below <= strong_from <= 100"
            )
    for key, preset in presets.items():
        problems.extend(_preset_problems(key, preset))
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
    except UnicodeDecodeError as error:
        raise HealthConfigError(
            str(path),
            [f"not UTF-8 text (byte {error.start + 1} cannot be read); save the file as UTF-8"],
        ) from error
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


def shipped() -> dict[str, Preset]:
    """The built-in presets alone: what the health page falls back to when the user's file
    has problems (they are listed above it)."""
    return parse([(str(SHIPPED), _read(SHIPPED))])


def load(user_path: Path | str | None = None) -> dict[str, Preset]:
    """The shipped presets, then the user file's (argument, else $CRM_DASHBOARD_HEALTH_CONFIG)."""
    documents = [(str(SHIPPED), _read(SHIPPED))]
    user = user_path or os.environ.get(ENV_VAR)
    if user:
        documents.append((str(user), _read(Path(user))))
    return parse(documents)
