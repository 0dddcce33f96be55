"""One app page as a PDF: its tiles and its headline chart for the current filters."""

from __future__ import annotations

import duckdb

from dashboard.analytics.digest import render
from dashboard.analytics.digest.sections import section
from dashboard.core.filters import Filters
from dashboard.core.periods import describe


def page_pdf(cur: duckdb.DuckDBPyConnection, filters: Filters, page: str) -> bytes:
    """The PDF behind a page's "Download this page (PDF)" (page: a key of sections.PAGES)."""
    return render.page_pdf(section(cur, filters, page), describe(filters))
