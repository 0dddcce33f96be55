"""The "Download this page (PDF)" button, the same on every page: made when clicked."""

from __future__ import annotations

import streamlit as st

from dashboard.analytics.digest.page import page_pdf
from dashboard.core import filenames
from dashboard.ui import session


def button(page: str) -> None:
    """The page's tiles and headline chart for the sidebar's filters, within the grant."""
    filters = session.filters()
    st.download_button(
        "Download this page (PDF)",
        session.later(page_pdf, filters, page=page),
        file_name=filenames.pdf_name(page, filters),
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        key=f"page_pdf_{page}",
    )
