"""Filters: bound parameters, the previous period, and the URL round trip."""

from datetime import date

import pytest

from dashboard.core.filters import Filters

FULL = Filters(date(2025, 1, 1), date(2025, 3, 31), ("Enterprise", "SMB"), ("EMEA",), ("Ann Lee",))


def test_params_use_none_for_all():
    assert Filters().params() == {
        "start_date": None,
        "end_date": None,
        "segments": None,
        "regions": None,
        "owners": None,
        "teams": None,
    }
    assert FULL.params()["segments"] == ["Enterprise", "SMB"]


def test_previous_period_has_equal_length():
    # Q1 2025 is 90 days; the 90 days before end on 2024-12-31 and start on 2024-10-03.
    prev = FULL.previous_period()
    assert (prev.start_date, prev.end_date) == (date(2024, 10, 3), date(2024, 12, 31))
    assert prev.segments == FULL.segments
    assert Filters().previous_period() is None
    assert Filters(start_date=date(2025, 1, 1)).previous_period() is None


@pytest.mark.parametrize(
    "filters",
    [
        FULL,
        Filters(),
        Filters(date(2024, 2, 29), date(2024, 2, 29)),
        Filters(owners=("O'Brien & Co", "Zoë"), regions=("North America",)),
        Filters(teams=("East", "West & Co")),
        Filters(date(2025, 1, 1), date(2025, 3, 31), ("SMB",), teams=("Central",)),
    ],
)
def test_url_round_trip(filters):
    url = filters.to_query_params()
    as_browser_sends = {k: v if isinstance(v, list) else [v] for k, v in url.items()}
    assert Filters.from_query_params(as_browser_sends) == filters


def test_all_time_is_explicit_in_the_url():
    assert Filters().to_query_params() == {"period": "all"}
    default = Filters(date(2025, 1, 1), date(2025, 12, 31))
    assert Filters.from_query_params({"period": ["all"]}, default) == Filters()
    assert Filters.from_query_params({}, default) == default  # no period in URL: the default


@pytest.mark.parametrize(
    "query",
    [
        {"from": ["2025-13-45"], "to": ["yesterday"]},
        {"from": ["' OR 1=1--"]},
        {"segment": ["x" * 10_000, "ok\x00"]},
        {"period": ["$x"]},
    ],
)
def test_hostile_urls_never_raise(query):
    filters = Filters.from_query_params(query)
    assert filters.start_date is None and filters.end_date is None
    assert filters.segments == ()


def test_reversed_dates_are_swapped():
    f = Filters.from_query_params({"from": ["2025-03-31"], "to": ["2025-01-01"]})
    assert (f.start_date, f.end_date) == (date(2025, 1, 1), date(2025, 3, 31))


def test_restricted_to_drops_unknown_values():
    f = Filters(segments=("SMB", "Typo"), owners=("Ann Lee",))
    kept = f.restricted_to({"segment": ["SMB", "Enterprise"], "owner": []})
    assert (kept.segments, kept.owners) == (("SMB",), ())


def test_filters_are_frozen_and_hashable():
    with pytest.raises(AttributeError):
        FULL.segments = ()  # type: ignore[misc]
    assert hash(FULL) == hash(Filters(**FULL.__dict__))


def test_team_travels_in_the_url_as_team():
    """team= repeats like segment=; it reads back into Filters.teams and binds as $teams."""
    url = Filters(teams=("East", "Central")).to_query_params()
    assert url == {"period": "all", "team": ["East", "Central"]}
    back = Filters.from_query_params({"team": ["East", "Central"], "period": ["all"]})
    assert back.teams == ("East", "Central")
    assert back.params()["teams"] == ["East", "Central"]
    assert Filters().params()["teams"] is None  # no team chosen: every owner, listed or not


def test_restricted_to_drops_unknown_teams():
    f = Filters(teams=("East", "Typo"))
    assert f.restricted_to({"team": ["East", "West"]}).teams == ("East",)
    assert f.restricted_to({}).teams == ()  # no owners table loaded: no team is offered
