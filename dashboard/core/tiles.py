"""A KPI tile as every page shows it: value, change, basis and definition."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    value: str
    delta: str | None
    higher_is_better: bool
    caption: str
    help: str
    no_data: str | None = None  # why the value is "—" and what to map, when its input is missing
