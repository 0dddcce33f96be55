"""What the overview page shows: KPI tiles with period-over-period change, and the trend."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from dashboard import formatting, measures
from dashboard.filters import Filters


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    value: str
    delta: str | None
    higher_is_better: bool
    caption: str
    help: str


@dataclass(frozen=True)
class Summary:
    tiles: list[Tile]
    notes: list[str]  # data the period leaves out, in words


def kpi_summary(cur: duckdb.DuckDBPyConnection, filters: Filters) -> Summary:
    """The overview tiles; each compares with the previous period of equal length if any."""
    current = measures.kpis(cur, filters)
    previous_filters = filters.previous_period()
    previous = measures.kpis(cur, previous_filters) if previous_filters else None
    tiles = []
    for key in measures.OVERVIEW_TILES:
        m = measures.MEASURES[key]
        fmt = formatting.FORMATTERS[m.unit]
        delta = formatting.delta(current[key], previous[key], m.unit) if previous else None
        basis = formatting.count(current[m.basis_key])
        compared = (
            f" Compared with {describe_period(previous_filters)}."
            if previous_filters
            else " Pick a period to compare with the one before."
        )
        tiles.append(
            Tile(
                key,
                m.label,
                fmt(current[key]),
                delta,
                m.higher_is_better,
                f"{basis} {m.basis_label}",
                m.definition + compared,
            )
        )
    return Summary(tiles, _gaps(current, filters))


def describe_period(filters: Filters) -> str:
    if not filters.has_period:
        return "all time"
    start = filters.start_date.strftime("%-d %b %Y") if filters.start_date else "the start"
    end = filters.end_date.strftime("%-d %b %Y") if filters.end_date else "today"
    return f"{start} – {end}"


def describe(filters: Filters) -> str:
    """The filters in words, for titles: '1 Nov 2025 – 31 Oct 2026 · Enterprise · EMEA'."""
    parts = [
        describe_period(filters).capitalize()
        if not filters.has_period
        else describe_period(filters)
    ]
    for values in (filters.segments, filters.regions, filters.owners):
        if values:
            parts.append(", ".join(values))
    return " · ".join(parts)


def _gaps(current: dict, filters: Filters) -> list[str]:
    undated = current["closed_deals_without_date"]
    if not filters.has_period or not undated:
        return []
    return [
        f"{formatting.count(undated)} closed deals have no close date and are left out of "
        "won amount, win rate and sales cycle for this period."
    ]
