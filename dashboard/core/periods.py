"""Periods in words and dates: presets, descriptions for titles, cohort grains and labels."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from dashboard.core.filters import Filters

GRAINS = {"month": "Month", "week": "Week", "quarter": "Quarter"}
PRESETS = ("Last 12 months", "Last 90 days", "Year to date", "All time", "Custom range")
DEFAULT_PRESET = "Last 12 months"


def preset_range(preset: str, as_of: date) -> tuple[date | None, date | None]:
    """Dates of a preset, counted back from the last day that has data (inclusive)."""
    if preset == "Last 12 months":
        return _year_before(as_of) + timedelta(days=1), as_of
    if preset == "Last 90 days":
        return as_of - timedelta(days=89), as_of
    if preset == "Year to date":
        return date(as_of.year, 1, 1), as_of
    return None, None


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


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
    if filters.teams:
        parts.append(f"team {', '.join(filters.teams)}")
    return " · ".join(parts)


def cohort_label(start: object, grain: str) -> str:
    """'Jan 2026', '2026 Q1' or 'Wk of 5 Jan 2026' for a cohort's first day."""
    day = pd.Timestamp(start)
    if grain == "quarter":
        return f"{day.year} Q{day.quarter}"
    if grain == "week":
        return f"Wk of {day:%-d %b %Y}"
    return f"{day:%b %Y}"
