"""Page choices kept in the URL beside the sidebar filters, so a shared link reopens them.

One entry per choice: the URL key, the session-state key of its widget, and a validator that
turns what the address bar holds into an allowed value or None (then the page's default
applies). Read once when the page opens, written back whenever the choice changes; the
sidebar stages the filters, the page adds its choices, and the entry script writes the URL
once at the end of the run (flush_url).
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
STAGED = "url_staged"  # this run's URL: the sidebar's filters, then the page's choices


def stage_filters(params: dict[str, str | list[str]]) -> None:
    """The sidebar's filters, the start of this run's URL (the page adds its choices)."""
    st.session_state[STAGED] = {
        k: list(v) if isinstance(v, list | tuple) else [v] for k, v in params.items()
    }


def flush_url() -> None:
    """Write this run's URL once, if it changed: filters, then the page's choices."""
    wanted = st.session_state.get(STAGED)
    if wanted is None:
        return
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)


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
    write_list(key, [] if value is None else [str(value)], [])


def seed_list(key: PageKey, allowed: list[str], default: list[str]) -> None:
    """seed() for a multiselect: the URL's values that are allowed (the key repeated)."""
    if key.widget in st.session_state:
        return
    wanted = [v for v in st.query_params.get_all(key.url) if v in allowed]
    st.session_state[key.widget] = wanted or list(default)


def write_list(key: PageKey, values: list[str], default: list[str]) -> None:
    """Mirror a multiselect in the URL, leaving the default out (a shorter link)."""
    staged = st.session_state.setdefault(STAGED, {})
    staged.pop(key.url, None)
    if list(values) != list(default) and values:
        staged[key.url] = [str(v) for v in values]
