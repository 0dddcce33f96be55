"""Empty states name only the fix that can help (issue 19 point 5)."""

from datetime import date

from dashboard.core import empty
from dashboard.core.filters import Filters

YEAR = Filters(date(2025, 11, 1), date(2026, 10, 31))


def test_all_time_never_says_widen_the_period():
    said = empty.nothing("deals were closed", Filters(), "Deals need a close date.")
    assert said == "No deals were closed in the data loaded. Deals need a close date."
    assert "Widen" not in empty.nothing("x", Filters(segments=("SMB",)))
    assert (
        empty.nothing("x", Filters(segments=("SMB",))) == "No x for these filters. Clear a filter."
    )


def test_a_period_names_the_period_and_the_filters():
    assert empty.nothing("deals were closed", YEAR) == (
        "No deals were closed in this period. Widen the period."
    )
    filtered = Filters(YEAR.start_date, YEAR.end_date, regions=("EMEA",))
    assert empty.nothing("answers", filtered) == (
        "No answers in this period for these filters. Widen the period or clear a filter."
    )
