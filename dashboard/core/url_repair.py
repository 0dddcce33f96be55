"""Turn whatever a link holds into a view the pages can show, and say what was repaired.

A shared link is typed, truncated, edited or stale: dates that are not dates, a start after
its end, a period outside the data (year 1, year 9999), values the sidebar does not offer.
None of them may crash a page; each is repaired into a valid view and named in one short
note. The notes never echo the link's text (it could be anything): they name the URL key and
the dates as the app reads them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from dashboard.core.filters import ALL_TIME, Filters, _clean, _first

SLACK_YEARS = 10  # how far beyond the data a link's date may lie and be kept as written
DIMENSIONS = (
    ("segment", "segments"),
    ("region", "regions"),
    ("owner", "owners"),
    ("team", "teams"),
)


@dataclass(frozen=True)
class Repaired:
    """The view to show and one sentence per kind of repair (none when the link was sound)."""

    filters: Filters
    notes: tuple[str, ...] = ()


def repair(
    query: Mapping[str, Sequence[str]],
    default: Filters,
    first: date,
    last: date,
    options: Mapping[str, Sequence[str]],
) -> Repaired:
    """The filters a URL asks for, within the data's days [first, last] and the values offered.

    No period in the URL gives the default's; `period=all` gives all time. A lone `from` runs to
    the last day with data, a lone `to` from the first. Reversed dates are swapped; a period
    outside the data gives the default period unless both its dates are written and lie
    within ten years of the data (then the pages say there is nothing then); a date more
    than ten years beyond the data (year 1, year 9999) is moved to the data's edge; any other
    date is kept as written."""
    period, period_note = _period(query)
    start, end, date_notes = _dates(query, period, default, first, last)
    # Over-long values and NULs go here, values not offered next; both are counted in the note.
    chosen = {field: _clean(query.get(key)) for key, field in DIMENSIONS}
    filters = replace(Filters(start, end), **chosen).restricted_to(options)
    notes = []
    if date_notes or period_note:
        notes.append("The link's dates were repaired: " + "; ".join(period_note + date_notes) + ".")
    dropped = _dropped_values(query, filters)
    if dropped:
        notes.append(f"The link's filters were repaired: {dropped} not offered here, so left out.")
    return Repaired(filters, tuple(notes))


def _period(query: Mapping[str, Sequence[str]]) -> tuple[str | None, list[str]]:
    period = _first(query.get("period"))
    if period is None or period == ALL_TIME:
        return period, []
    return None, [f"period can only be {ALL_TIME!r} (all time), so it was ignored"]


def _dates(
    query: Mapping[str, Sequence[str]],
    period: str | None,
    default: Filters,
    first: date,
    last: date,
) -> tuple[date | None, date | None, list[str]]:
    if period == ALL_TIME:
        return None, None, []
    notes: list[str] = []
    start = _read_date(query, "from", notes)
    end = _read_date(query, "to", notes)
    if start is None and end is None:
        return default.start_date, default.end_date, notes
    if start and end and start > end:
        notes.append(f"the start {_day(start)} was after the end {_day(end)}, so they were swapped")
        start, end = end, start
    both_given = start is not None and end is not None
    start, end = start or first, end or last
    near = _years_from(first, -SLACK_YEARS) <= start and end <= _years_from(last, SLACK_YEARS)
    if (start > last or end < first) and not (both_given and near):
        # A lone date past the data (a half-typed or stale link) or a period years away
        # (year 1, 9999) becomes the default view; a whole period near the data, written in
        # full, is a question with an answer ("nothing then"), so it is kept as asked.
        outside = (
            f"{_day(start)} is after the last day with data, {_day(last)}"
            if start > last
            else f"{_day(end)} is before the first day with data, {_day(first)}"
        )
        notes.append(f"{outside}; showing the default period instead")
        return default.start_date, default.end_date, notes
    # Beyond the data but near it, a date stays as written: several measures depend on the
    # period's length (touches per month, the previous period), so the link's view is kept.
    # Years away from it (year 1, 9999) it is moved to the data's edge.
    if start < _years_from(first, -SLACK_YEARS):
        notes.append(
            f"{_day(start)} is more than {SLACK_YEARS} years before the first day with data, "
            f"so the period starts on {_day(first)}"
        )
        start = first
    if end > _years_from(last, SLACK_YEARS):
        notes.append(
            f"{_day(end)} is more than {SLACK_YEARS} years after the last day with data, "
            f"so the period ends on {_day(last)}"
        )
        end = last
    return start, end, notes


def _read_date(query: Mapping[str, Sequence[str]], key: str, notes: list[str]) -> date | None:
    text = _first(query.get(key))
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        notes.append(f"{key} is not a date written YYYY-MM-DD, so it was left out")
        return None


def _dropped_values(query: Mapping[str, Sequence[str]], kept: Filters) -> str:
    """'2 segment values and 1 owner value' that the link names but the view does not keep."""
    counts = []
    for key, field in DIMENSIONS:
        raw = query.get(key) or ()
        asked = len({raw} if isinstance(raw, str) else set(raw))
        lost = asked - len(getattr(kept, field))
        if lost > 0:
            counts.append(f"{lost} {key} value{'s' if lost > 1 else ''}")
    if not counts:
        return ""
    if len(counts) == 1:
        return f"{counts[0]} {'is' if counts[0].startswith('1 ') else 'are'}"
    return ", ".join(counts[:-1]) + f" and {counts[-1]} are"


def _years_from(day: date, years: int) -> date:
    """The same day `years` later (or earlier), 28 Feb for 29 Feb, within date's range."""
    year = min(max(day.year + years, date.min.year), date.max.year)
    return day.replace(year=year, day=min(day.day, 28) if day.month == 2 else day.day)


def _day(day: date) -> str:
    return f"{day.day} {day:%b} {day.year:04d}"
