"""Periods by name for scripts and config files ('last-30-days', 'this-month'), and the period
each one is compared with. Counted back from `as_of`, the last day with data, as the sidebar's
presets are (dashboard/core/periods.py), so a rule and the page agree on the dates."""

from __future__ import annotations

from datetime import date, timedelta

from dashboard.core.periods import preset_range

Range = tuple[date | None, date | None]

ROLLING_DAYS = {"last-7-days": 7, "last-30-days": 30}
# The sidebar's own presets, by the same dates.
PRESETS = {
    "last-90-days": "Last 90 days",
    "last-12-months": "Last 12 months",
    "year-to-date": "Year to date",
}
NAMES = (
    "all-time",
    *ROLLING_DAYS,
    "last-90-days",
    "last-12-months",
    "this-month",
    "last-month",
    "this-quarter",
    "last-quarter",
    "year-to-date",
)


def period_range(name: str, as_of: date) -> Range:
    """First and last day (inclusive) of the named period; (None, None) for all time."""
    if name in ROLLING_DAYS:
        return as_of - timedelta(days=ROLLING_DAYS[name] - 1), as_of
    if name in PRESETS:
        return preset_range(PRESETS[name], as_of)
    if name == "this-month":
        return as_of.replace(day=1), as_of
    if name == "last-month":
        return _month_start(as_of, -1), as_of.replace(day=1) - timedelta(days=1)
    if name == "this-quarter":
        return _quarter_start(as_of), as_of
    if name == "last-quarter":
        start = _quarter_start(_quarter_start(as_of) - timedelta(days=1))
        return start, _quarter_start(as_of) - timedelta(days=1)
    if name == "all-time":
        return None, None
    raise ValueError(f"unknown period {name!r}")


def previous_range(name: str, as_of: date) -> Range:
    """What the period is compared with: the calendar month or quarter before for last-month
    and last-quarter, otherwise the days of equal length just before (as the tiles do);
    (None, None) for all time, which has nothing before it."""
    start, end = period_range(name, as_of)
    if start is None or end is None:
        return None, None
    if name in ("last-month", "last-quarter"):
        return period_range(name, start)
    length = end - start + timedelta(days=1)
    return start - length, start - timedelta(days=1)


def _month_start(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
