"""Entry script: page config, the shared sidebar, and navigation over ../pages."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import sample, session, sidebar

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"

st.set_page_config(page_title="CRM Analytics", page_icon=":material/insights:", layout="wide")

cur = session.cursor()
if st.session_state.pop("sample_just_loaded", False):
    st.toast("First start: loaded the sample company so every page has data.", icon="✅")
if sample.showing_sample_only(cur):
    st.info(
        "You are looking at **sample data**: a fictional B2B software company over three "
        "years (2,000 accounts, 20,000 deals). Importing your own CRM exports is the next "
        "feature; see *Your data* in the README.",
        icon=":material/science:",
    )
sidebar.render()
page = st.navigation(
    [
        st.Page(
            PAGES_DIR / "overview.py", title="Overview", icon=":material/dashboard:", default=True
        ),
    ]
)
page.run()
