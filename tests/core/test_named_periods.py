"""Periods by name, counted back from the last day with data, and what each is compared with."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.core.named_periods import NAMES, period_range, previous_range

AS_OF = date(2026, 3, 31)  # a Tuesday; the last day with data


@pytest.mark.parametrize(
    ("name", "current", "previous"),
    [
        # 7 days ending 31 Mar: 25–31 Mar; the 7 before: 18–24 Mar
        ("last-7-days", (date(2026, 3, 25), AS_OF), (date(2026, 3, 18), date(2026, 3, 24))),
        # 30 days: 2–31 Mar; the 30 before end on 1 Mar: 31 Jan – 1 Mar
        ("last-30-days", (date(2026, 3, 2), AS_OF), (date(2026, 1, 31), date(2026, 3, 1))),
        ("last-90-days", (date(2026, 1, 1), AS_OF), (date(2025, 10, 3), date(2025, 12, 31))),
        # as the sidebar's "Last 12 months": 1 Apr 2025 – 31 Mar 2026
        ("last-12-months", (date(2025, 4, 1), AS_OF), (date(2024, 4, 1), date(2025, 3, 31))),
        # this month so far (31 days), against the 31 days before
        ("this-month", (date(2026, 3, 1), AS_OF), (date(2026, 1, 29), date(2026, 2, 28))),
        # last month is February whole, against January whole (calendar months)
        (
            "last-month",
            (date(2026, 2, 1), date(2026, 2, 28)),
            (date(2026, 1, 1), date(2026, 1, 31)),
        ),
        ("this-quarter", (date(2026, 1, 1), AS_OF), (date(2025, 10, 3), date(2025, 12, 31))),
        (
            "last-quarter",
            (date(2025, 10, 1), date(2025, 12, 31)),
            (date(2025, 7, 1), date(2025, 9, 30)),
        ),
        ("year-to-date", (date(2026, 1, 1), AS_OF), (date(2025, 10, 3), date(2025, 12, 31))),
        ("all-time", (None, None), (None, None)),
    ],
)
def test_ranges_by_hand(name, current, previous):
    assert period_range(name, AS_OF) == current
    assert previous_range(name, AS_OF) == previous


def test_every_name_has_a_range_and_an_unknown_one_is_refused():
    for name in NAMES:
        period_range(name, AS_OF)
    with pytest.raises(ValueError):
        period_range("last-fortnight", AS_OF)


def test_month_ends_and_leap_days():
    # last month from 31 Mar 2024 is February of a leap year; 12 months from 29 Feb 2024
    assert period_range("last-month", date(2024, 3, 31)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_range("last-12-months", date(2024, 2, 29)) == (
        date(2023, 3, 1),
        date(2024, 2, 29),
    )
    assert period_range("last-month", date(2026, 1, 15)) == (date(2025, 12, 1), date(2025, 12, 31))
