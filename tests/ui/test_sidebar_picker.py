"""The date picker half-picked (issue 21.2): a first day after the last day with data used to
make Filters(start, as_of) with start > end, "start_date is after end_date", on every page."""

from datetime import date

from dashboard.ui.sidebar import _picked

AS_OF = date(2026, 10, 31)


def test_a_half_picked_range_runs_to_the_last_day_with_data_or_is_that_day():
    assert _picked((date(2026, 1, 5),), AS_OF) == (date(2026, 1, 5), AS_OF)
    assert _picked((date(2027, 1, 5),), AS_OF) == (date(2027, 1, 5), date(2027, 1, 5))
    assert _picked((date(2026, 1, 5), date(2026, 2, 1)), AS_OF) == (
        date(2026, 1, 5),
        date(2026, 2, 1),
    )
    assert _picked((), AS_OF) == (None, None)
