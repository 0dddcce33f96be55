"""Page choices kept in the URL beside the sidebar filters, so a shared link reopens them.

One entry per choice: the URL key, the session-state key of its widget, and a validator that
turns what the address bar holds into an allowed value or None (then the page's default
applies). Read once when the page opens, written back whenever the choice changes; the
sidebar keeps these keys when it rewrites the filters (sidebar.render).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

import streamlit as st


def one_of(allowed: Collection[str]) -> Callable[[str], str | None]:
    return lambda raw: raw if raw in allowed else None


def positive_int(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and 0 < int(raw) < 1000 else None


@dataclass(frozen=True)
class PageKey:
    url: str  # the query-string key
    widget: str  # the session-state key of the widget that shows it


BREAKDOWN = PageKey("breakdown", "funnel_dimension")  # funnel: "Break down by"
STAGE = PageKey("stage", "funnel_dropoff_step")  # funnel: the clicked (or picked) stage
MEASURE = PageKey("measure", "sat_measure")  # satisfaction: NPS, CSAT or CES
PRESET = PageKey("preset", "health_preset")  # health: the reading of the four C's
COMPETITOR = PageKey("competitor", "comp_trend_names")  # competitors: followed in the trend
KEYS = (BREAKDOWN, STAGE, MEASURE, PRESET, COMPETITOR)


def in_url() -> dict[str, list[str]]:
    """The page keys the URL holds now (kept when the sidebar rewrites the filters)."""
    return {k.url: st.query_params.get_all(k.url) for k in KEYS if k.url in st.query_params}


def seed(key: PageKey, valid: Callable[[str], object | None], default: object) -> None:
    """When the page opens (its widget not yet in the session), the URL's value if valid,
    else the default; later runs keep what the person chose."""
    if key.widget in st.session_state:
        return
    raw = st.query_params.get(key.url)
    wanted = valid(raw) if raw is not None else None
    st.session_state[key.widget] = default if wanted is None else wanted


def write(key: PageKey, value: object) -> None:
    """Mirror a choice in the URL (nothing, when there is no choice)."""
    if value is None:
        if key.url in st.query_params:
            del st.query_params[key.url]
    elif st.query_params.get(key.url) != str(value):
        st.query_params[key.url] = str(value)


def seed_list(key: PageKey, allowed: list[str], default: list[str]) -> None:
    """seed() for a multiselect: the URL's values that are allowed (the key repeated)."""
    if key.widget in st.session_state:
        return
    wanted = [v for v in st.query_params.get_all(key.url) if v in allowed]
    st.session_state[key.widget] = wanted or list(default)


def write_list(key: PageKey, values: list[str], default: list[str]) -> None:
    """Mirror a multiselect in the URL, leaving the default out (a shorter link)."""
    wanted = [] if list(values) == list(default) else list(values)
    if st.query_params.get_all(key.url) == wanted:
        return
    if wanted:
        st.query_params[key.url] = wanted
    else:
        del st.query_params[key.url]
