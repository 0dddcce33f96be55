"""What the address bar asks for, repaired into a valid view, and the note that says so.

The sidebar reads its keys (period, from, to, segment, region, owner, team) through
dashboard/core/url_repair.py; a page's own keys (a breakdown, a measure, a preset) plug in
with `read(key, valid, default)`, which keeps a valid value and notes a dropped one. The notes
are shown above the page by `show_notes` (called by the page runner, dashboard/ui/boundary.py)
until the person changes a filter: from then on the view is theirs, not the link's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from dashboard.core.filters import Filters

T = TypeVar("T")
NOTES = "url_repair_notes"
REPAIRED_VIEW = "url_repair_filters"


def remember(notes: tuple[str, ...], filters: Filters) -> None:
    """Keep the sidebar's repair notes for the view they describe."""
    st.session_state[NOTES] = list(notes)
    st.session_state[REPAIRED_VIEW] = filters


def read(key: str, valid: Callable[[str], T | None], default: T) -> T:
    """A page's own URL key: its value when `valid` accepts it, else the default with a note
    (the raw value is not echoed: it could hold anything)."""
    raw = st.query_params.get(key)
    if raw is None:
        return default
    value = valid(raw)
    if value is None:
        note(f"The link's {key} is not one this page offers, so the default is shown.")
        return default
    return value


def note(text: str) -> None:
    """A repair a page made while it ran: shown where it is made now (the notes above the page
    were drawn before the page ran), and above the page on later runs."""
    notes = st.session_state.setdefault(NOTES, [])
    if text not in notes:
        notes.append(text)
        _show(text)


def track(filters: Filters) -> None:
    """Called with the sidebar's filters each run: once they differ from the view the link
    was repaired into, the person has moved on and the notes go."""
    wanted = st.session_state.get(REPAIRED_VIEW)
    if wanted is not None and filters != wanted:
        st.session_state[NOTES] = []
        st.session_state[REPAIRED_VIEW] = None


def show_notes() -> None:
    for text in st.session_state.get(NOTES) or []:
        _show(text)


def _show(text: str) -> None:
    st.info(text, icon=":material/link:")
