"""Entry script: page config, the shared sidebar, and navigation over ../pages."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import sample, session, sidebar
from dashboard.filters import Filters

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"

st.set_page_config(page_title="CRM Analytics", page_icon=":material/insights:", layout="wide")

session.cursor()  # opens the warehouse; on an empty file, loads the sample first
if st.session_state.pop("sample_just_loaded", False):
    st.toast("First start: loaded the sample company so every page has data.", icon="✅")
notice = session.cached(sample.sample_notice, Filters())
if notice:
    st.info(notice, icon=":material/science:")
sidebar.render()
page = st.navigation(
    [
        st.Page(
            PAGES_DIR / "overview.py", title="Overview", icon=":material/dashboard:", default=True
        ),
        st.Page(
            PAGES_DIR / "retention.py",
            title="Retention",
            icon=":material/group:",
            url_path="retention",
        ),
        st.Page(
            PAGES_DIR / "funnel.py", title="Funnel", icon=":material/filter_alt:", url_path="funnel"
        ),
        st.Page(
            PAGES_DIR / "import.py", title="Import", icon=":material/upload:", url_path="import"
        ),
    ]
)
page.run()
