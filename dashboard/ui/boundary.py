"""The error boundary around each page: one sentence for the person, the traceback for the log.

A page that fails shows "This page could not be shown" and nothing of the error (no type, no
message, no server path); the traceback goes to the server log. `crm-dashboard serve` also
sets client.showErrorDetails to "none", so a failure outside a boundary shows Streamlit's
generic message, never a traceback. Streamlit's own st.stop/st.rerun are BaseExceptions and
pass through untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from dashboard.ui import url_state

log = logging.getLogger("dashboard.ui")
SENTENCE = (
    "This part of the page could not be shown. Reload the page, or clear the filters in the "
    "sidebar; if it keeps failing, tell your admin (the details are in the server log)."
)


@contextmanager
def boundary(where: str) -> Iterator[None]:
    """Run a part of the app; if it raises, log the traceback and show one sentence instead."""
    try:
        yield
    except Exception:
        log.exception("%s failed", where)
        st.error(SENTENCE, icon=":material/error:")


def run_page(page: StreamlitPage) -> None:
    """The page runner: the link's repair notes above the page, the page inside a boundary."""
    url_state.show_notes()
    with boundary(f"page {page.title!r}"):
        page.run()
