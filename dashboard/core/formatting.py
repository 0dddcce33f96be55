"""Numbers for people: `$1.2M`, `63.2%`, `57 days`, `1,234`. Raw floats never reach a screen.

Babel does the locale work (compact currency, grouping) so that a locale setting later is a
one-line change rather than a rewrite.
"""

from __future__ import annotations

import math

from babel.numbers import format_compact_currency, format_decimal

LOCALE = "en_US"
MISSING = "—"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def money(value: float | None, currency: str = "USD") -> str:
    if _missing(value):
        return MISSING
    return format_compact_currency(float(value), currency, locale=LOCALE, fraction_digits=1)


def count(value: float | None) -> str:
    return MISSING if _missing(value) else format_decimal(round(float(value)), locale=LOCALE)


def ratio(value: float | None) -> str:
    """A 0–1 share as a percentage with one decimal."""
    return MISSING if _missing(value) else f"{100 * float(value):.1f}%"


def percent(value: float | None) -> str:
    """A value already on a 0–100 scale."""
    return MISSING if _missing(value) else f"{float(value):.1f}%"


def score(value: float | None) -> str:
    """NPS-like scores from −100 to 100, whole points."""
    return MISSING if _missing(value) else f"{float(value):.0f}"


def days(value: float | None) -> str:
    if _missing(value):
        return MISSING
    whole = round(float(value))
    return f"{whole:,} day" if whole == 1 else f"{whole:,} days"


def mean(value: float | None) -> str:
    return MISSING if _missing(value) else f"{float(value):.2f}"


FORMATTERS = {
    "money": money,
    "count": count,
    "ratio": ratio,
    "percent": percent,
    "score": score,
    "days": days,
    "mean": mean,
}


def delta(current: float | None, previous: float | None, unit: str) -> str | None:
    """The change vs the previous period in the unit's own terms, or None if not comparable.

    Amounts and counts change by a relative %, shares by percentage points, scores by
    points, durations by days.
    """
    if _missing(current) or _missing(previous):
        return None
    diff = float(current) - float(previous)
    if unit in ("money", "count"):
        if previous == 0:
            return None
        return f"{100 * diff / abs(float(previous)):+.1f}%"
    if unit == "ratio":
        return f"{100 * diff:+.1f} pts"
    if unit in ("percent", "score"):
        return f"{diff:+.1f} pts"
    if unit == "days":
        return f"{diff:+.0f} days"
    return f"{diff:+.2f}"
