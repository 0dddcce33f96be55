"""Empty-state wording: where the page looked, and the fix that can actually help.

"Widen the period" on All time sends a reader to a control that cannot help (issue 19). These
words name only what is set: the period when one is chosen, the filters when any is.
"""

from __future__ import annotations

from dashboard.core.filters import Filters


def _filtered(filters: Filters) -> bool:
    return bool(filters.segments or filters.regions or filters.owners or filters.teams)


def where(filters: Filters) -> str:
    """'in this period for these filters', 'in this period', 'for these filters', or
    'in the data loaded' (All time, nothing filtered)."""
    if filters.has_period and _filtered(filters):
        return "in this period for these filters"
    if filters.has_period:
        return "in this period"
    if _filtered(filters):
        return "for these filters"
    return "in the data loaded"


def fix(filters: Filters) -> str:
    """The sidebar change that could show more, as a sentence ('' when none can)."""
    if filters.has_period and _filtered(filters):
        return "Widen the period or clear a filter."
    if filters.has_period:
        return "Widen the period."
    if _filtered(filters):
        return "Clear a filter."
    return ""


def nothing(what: str, filters: Filters, then: str = "") -> str:
    """'No deals were closed in this period. Widen the period.' plus what else is needed
    (`then`, a sentence), e.g. which date a row needs to be placed."""
    return " ".join(p for p in (f"No {what} {where(filters)}.", fix(filters), then) if p)
