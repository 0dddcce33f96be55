"""Entry script: page config, the shared sidebar, and navigation over ../pages."""

from __future__ import annotations

import streamlit as st

from dashboard.core import resources
from dashboard.core.filters import Filters
from dashboard.store import sample
from dashboard.ui import boundary, identity, page_state, session, sidebar

PAGES_DIR = resources.folder("dashboard.pages")

st.set_page_config(page_title="CRM Analytics", page_icon=":material/insights:", layout="wide")

with session.one_run_at_a_time():  # runs of one session take turns on its cursor
    who = identity.gate()  # no access: a "no access" page and nothing else (not even the data)
    session.cursor()  # opens the warehouse; on an empty file, loads the sample first
    if st.session_state.pop("sample_just_loaded", False):
        st.toast("First start: loaded the sample company so every page has data.", icon="✅")
    notice = session.cached(sample.sample_notice, Filters(), can_import=who.can_import)
    if notice:
        st.info(notice, icon=":material/science:")
    with boundary.boundary("sidebar"):
        sidebar.render()
    identity.show_in_sidebar(who)
    PAGES = [
        # (file, title, icon, URL path); the first is the default page at "/".
        ("overview.py", "Overview", ":material/dashboard:", None),
        ("funnel.py", "Funnel", ":material/filter_alt:", "funnel"),
        ("retention.py", "Retention", ":material/group:", "retention"),
        ("satisfaction.py", "Satisfaction", ":material/sentiment_satisfied:", "satisfaction"),
        ("competitors.py", "Competitors", ":material/swords:", "competitors"),
        ("health.py", "Health", ":material/monitor_heart:", "health"),
        ("import.py", "Import", ":material/upload:", "import"),
        ("access.py", "Access", ":material/admin_panel_settings:", "access"),
    ]
    # Pages a role may not use are left out of the navigation (and refuse if opened anyway).
    HIDDEN = {"import.py": not who.can_import, "access.py": not who.can_see_access}
    page = st.navigation(
        [
            st.Page(PAGES_DIR / file, title=title, icon=icon, url_path=path, default=path is None)
            for file, title, icon, path in PAGES
            if not HIDDEN.get(file)
        ]
    )
    st.session_state["page_title"] = page.title  # download names start with it (widgets.download)
    try:
        boundary.run_page(page)  # repair notes of the link above it, one sentence if it fails
    finally:  # also after st.stop(): the URL gets the filters and the page's choices, once
        page_state.flush_url()
