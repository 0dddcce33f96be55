"""Links that used to crash every page (issue 21, point 2), repaired into a view with a note.

The data runs from 1 Nov 2023 to 31 Oct 2026 (the sample's span); the default period is the
last 12 months, 1 Nov 2025 – 31 Oct 2026."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.core.filters import Filters
from dashboard.core.url_repair import repair

FIRST, LAST = date(2023, 11, 1), date(2026, 10, 31)
DEFAULT = Filters(date(2025, 11, 1), LAST)
OPTIONS = {"segment": ["SMB", "Enterprise"], "region": ["EMEA"], "owner": ["Ann"], "team": []}


def fix(**query: str | list[str]):
    as_lists = {k: v if isinstance(v, list) else [v] for k, v in query.items()}
    return repair(as_lists, DEFAULT, FIRST, LAST, OPTIONS)


@pytest.mark.parametrize(
    ("query", "start", "end", "says"),
    [
        # from after the last day with data, no `to`: nothing to show -> the default period
        ({"from": "2026-11-15"}, DEFAULT.start_date, LAST, "15 Nov 2026 is after the last day"),
        # to before the first day with data (was "start_date is after end_date")
        ({"to": "2023-01-01"}, DEFAULT.start_date, LAST, "1 Jan 2023 is before the first day"),
        # year 1 (was an OverflowError in previous_period): wholly before the data
        ({"from": "0001-01-01", "to": "0001-01-02"}, DEFAULT.start_date, LAST, "2 Jan 0001"),
        # year 9999 (was StreamlitInvalidMinMaxError in the date picker)
        ({"from": "9999-12-31"}, DEFAULT.start_date, LAST, "31 Dec 9999 is after"),
        # partly outside, years away from the data: moved to the data's edges
        ({"from": "0001-01-01", "to": "2024-03-31"}, FIRST, date(2024, 3, 31), "starts on 1 Nov"),
        ({"from": "2024-01-01", "to": "9999-12-31"}, date(2024, 1, 1), LAST, "ends on 31 Oct"),
        ({"from": "2013-10-31", "to": "2024-03-31"}, FIRST, date(2024, 3, 31), "more than 10"),
        # reversed: swapped
        ({"from": "2025-03-31", "to": "2025-01-01"}, date(2025, 1, 1), date(2025, 3, 31), "swap"),
        # not dates: left out, the default period
        ({"from": "yesterday", "to": "2025-13-45"}, DEFAULT.start_date, LAST, "not a date"),
        ({"period": "bogus"}, DEFAULT.start_date, LAST, "period can only be 'all'"),
    ],
)
def test_bad_dates_become_a_valid_view_with_a_note(query, start, end, says):
    fixed = fix(**query)
    assert (fixed.filters.start_date, fixed.filters.end_date) == (start, end)
    assert fixed.filters.previous_period() is not None  # no OverflowError
    assert len(fixed.notes) == 1
    assert fixed.notes[0].startswith("The link's dates were repaired: ")
    assert says in fixed.notes[0]


def test_a_sound_link_is_kept_as_it_is_without_a_note():
    fixed = fix(**{"from": "2024-02-01", "to": "2024-04-30", "segment": ["SMB"]})
    assert fixed.filters == Filters(date(2024, 2, 1), date(2024, 4, 30), ("SMB",))
    assert fixed.notes == ()
    assert fix(period="all").filters == Filters()  # all time, no note
    assert fix().filters == DEFAULT and fix().notes == ()
    # A lone `from` runs to the last day with data, a lone `to` from the first: no note.
    assert fix(**{"from": "2026-01-01"}).filters == Filters(date(2026, 1, 1), LAST)
    assert fix(to="2024-01-31").filters == Filters(FIRST, date(2024, 1, 31))
    assert fix(**{"from": "2026-01-01"}).notes == ()
    # Beyond the data by less than ten years: kept as written (measures per month and the
    # previous period depend on the period's length).
    near = fix(**{"from": "2013-11-01", "to": "2036-10-31"})
    assert near.filters == Filters(date(2013, 11, 1), date(2036, 10, 31)) and near.notes == ()
    # A whole period written in full before the data (2020) is a fair question whose answer is
    # "nothing then": kept, no note; the pages say there is no data in it.
    before = fix(**{"from": "2020-01-01", "to": "2020-12-31"})
    assert before.filters == Filters(date(2020, 1, 1), date(2020, 12, 31)) and before.notes == ()


def test_values_not_offered_are_dropped_and_counted_never_echoed():
    fixed = fix(segment=["SMB", "'; drop table deals; --", "x" * 500], region="Mars", owner="Ann")
    assert fixed.filters.segments == ("SMB",)
    assert fixed.filters.regions == () and fixed.filters.owners == ("Ann",)
    # 2 segments (one unknown, one too long) and 1 region were left out
    assert fixed.notes == (
        "The link's filters were repaired: 2 segment values and 1 region value are not offered "
        "here, so left out.",
    )
    assert fix(team="East").notes == (
        "The link's filters were repaired: 1 team value is not offered here, so left out.",
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(["from", "to", "period", "segment", "region", "owner", "team", "x"]),
        st.lists(st.text(max_size=30) | st.dates().map(date.isoformat), max_size=3),
    )
)
def test_any_link_gives_a_view_inside_the_data_and_never_raises(query):
    fixed = repair(query, DEFAULT, FIRST, LAST, OPTIONS)
    f = fixed.filters
    if f.has_period:
        assert date(2013, 11, 1) <= f.start_date <= f.end_date <= date(2036, 10, 31)
        # The view overlaps the data, unless the link wrote a whole period near it (kept: the
        # pages say there is nothing then).
        written = f.start_date <= LAST and f.end_date >= FIRST
        assert written or (f.start_date, f.end_date) == (
            date.fromisoformat(query["from"][0].strip()),
            date.fromisoformat(query["to"][0].strip()),
        )
        f.previous_period()  # never overflows
    assert set(f.segments) <= set(OPTIONS["segment"])
    for note in fixed.notes:
        assert all(
            value not in note for values in query.values() for value in values if len(value) > 8
        )


def test_a_period_starting_near_year_1_has_no_previous_period_rather_than_an_overflow():
    # 1–2 Jan 0001: the two days before would be in year 0, which `date` cannot hold
    assert Filters(date(1, 1, 1), date(1, 1, 2)).previous_period() is None
    assert Filters(date(1, 1, 3), date(1, 1, 4)).previous_period() == Filters(
        date(1, 1, 1), date(1, 1, 2)
    )
