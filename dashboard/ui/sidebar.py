"""The sidebar filters, built once by the entry script and mirrored both ways in the URL."""

from __future__ import annotations

from datetime import date

import duckdb
import streamlit as st

from dashboard.core import coverage, url_repair
from dashboard.core.filters import URL_KEYS, Filters
from dashboard.core.periods import DEFAULT_PRESET, PRESETS, preset_range
from dashboard.ingest import derive
from dashboard.ui import chart_clicks, identity, page_state, session, url_state


def matching_preset(filters: Filters, as_of: date) -> str:
    for preset in PRESETS[:-1]:
        if preset_range(preset, as_of) == (filters.start_date, filters.end_date):
            return preset
    return "Custom range"


def filter_options(cur: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, list[str]]:
    return coverage.filter_values(cur, filters)


def data_dates(cur: duckdb.DuckDBPyConnection, _filters: Filters) -> tuple[date, date]:
    return coverage.data_span(cur)


def _segment_label() -> str:
    """'Segment', or 'Segment (derived from employees)' when the accounts had none and the
    import derived them from company size (dashboard/ingest/derive.py)."""
    origin = derive.segment_origin(session.cursor())
    return f"Segment ({origin})" if origin else "Segment"


def _url_state() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in URL_KEYS if key in st.query_params}


def _seed_widgets(options: dict[str, list[str]], first: date, as_of: date) -> None:
    """First run of a session: the URL (or the default) decides what the widgets show; a link
    that cannot be shown as it is gets repaired, with a note (dashboard/core/url_repair.py)."""
    default = Filters(*preset_range(DEFAULT_PRESET, as_of))
    repaired = url_repair.repair(_url_state(), default, first, as_of, options)
    wanted = repaired.filters
    url_state.remember(repaired.notes, wanted)
    if repaired.notes:  # the address bar shows the view shown, at once: written at the end of
        # this first run (page_state.flush_url) the browser kept the broken link.
        st.query_params.from_dict(wanted.to_query_params())
    st.session_state["f_preset"] = matching_preset(wanted, as_of)
    st.session_state["f_range"] = (wanted.start_date or first, wanted.end_date or as_of)
    st.session_state["f_segments"] = list(wanted.segments)
    st.session_state["f_regions"] = list(wanted.regions)
    st.session_state["f_owners"] = list(wanted.owners)
    st.session_state["f_teams"] = list(wanted.teams)
    st.session_state["filters_seeded"] = True


def render() -> Filters:
    """Draw the filters, store them for the pages, and write them to the URL."""
    granted = identity.current().scope
    options = session.cached(filter_options, Filters())
    first, as_of = session.cached(data_dates, Filters())
    if not st.session_state.get("filters_seeded"):
        _seed_widgets(options, first, as_of)
    chart_clicks.apply_pending(options, first, as_of)  # a chart click asked for a filter
    with st.sidebar:
        st.header("Filters")
        preset = st.selectbox(
            "Period",
            PRESETS,
            key="f_preset",
            help=f"Counted back from {as_of:%-d %b %Y}, the last day with data.",
        )
        if preset == "Custom range":
            chosen = st.date_input("From – to", key="f_range", format="YYYY-MM-DD")
            start, end = _picked(tuple(chosen), as_of)
        else:
            start, end = preset_range(preset, as_of)
        filters = Filters(
            start,
            end,
            tuple(
                st.multiselect(
                    _segment_label(),
                    options.get("segment", []),
                    key="f_segments",
                    placeholder="All segments"
                    if granted.segments is None
                    else "All granted segments",
                )
            ),
            tuple(
                st.multiselect(
                    "Region",
                    options.get("region", []),
                    key="f_regions",
                    placeholder="All regions" if granted.regions is None else "All granted regions",
                )
            ),
            tuple(
                st.multiselect(
                    "Owner", options.get("owner", []), key="f_owners", placeholder="All owners"
                )
            ),
            teams=_teams(options.get("team", []), granted.teams),
        )
        st.caption(session.cached(coverage.span_words, Filters()))
    url_state.track(filters)
    # Written once, after the page added its own choices (page_state.flush_url, app.py): two
    # URL writes in one run raced in the browser and lost the filters (streamlit#7961).
    page_state.stage_filters(filters.to_query_params())
    # The URL keeps what was chosen; the pages get it within the person's grant.
    scoped = filters.within(identity.current().scope)
    st.session_state["filters"] = scoped
    return scoped


def _picked(chosen: tuple[date, ...], as_of: date) -> tuple[date | None, date | None]:
    """The picker's range; while only its first day is picked, up to the last day with data
    (or that day itself, when it is later: the picker allows days past the data)."""
    if not chosen:
        return None, None
    return chosen[0], chosen[1] if len(chosen) > 1 else max(chosen[0], as_of)


def _teams(offered: list[str], granted: tuple[str, ...] | None) -> tuple[str, ...]:
    """The Team multiselect, beside Owner; only when the owners table gives teams (a teams
    file was loaded), since a team is a set of owners listed there."""
    if not offered:
        return ()
    chosen = st.multiselect(
        "Team",
        offered,
        key="f_teams",
        placeholder="All teams" if granted is None else "All granted teams",
        help="Owners' teams, from the teams file: the deals the team's owners own, and the "
        "accounts they own with those accounts' orders, activities and surveys.",
    )
    return tuple(chosen)


def _as_list(value: str | list[str]) -> list[str]:
    return value if isinstance(value, list) else [value]
