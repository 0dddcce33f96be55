"""The "what changed" panel: on the overview after any load, on the import page right after
a load or an undo. One collapsed line until opened, so the tiles stay where they are."""

from __future__ import annotations

import re

import duckdb
import streamlit as st

from dashboard.analytics.changes import data as changes
from dashboard.analytics.changes import words
from dashboard.core.filters import Scope
from dashboard.store import warehouse
from dashboard.ui import identity, session

JUST_CHANGED = "changes_just_loaded"  # session flag: the import page shows the panel open
# Markdown (and Streamlit's $…$ maths) characters in data: file, deal and competitor names.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


@st.cache_data(show_spinner=False, max_entries=64)
def _changes(db: str, version: int, scope: Scope, _cur: duckdb.DuckDBPyConnection) -> dict | None:
    """The latest change within the grant, per data version (None: nothing loaded)."""
    try:
        return changes.changes_since(_cur, scope=scope)
    except changes.ChangesError:
        return None


def _md(text: str) -> str:
    return _MARKDOWN.sub(r"\\\1", text)


def _line(line: words.Line) -> str:
    return f"- [{_md(line.text)}]({line.link})" if line.link else f"- {_md(line.text)}"


def render(*, expanded: bool = False, include_sample: bool = False) -> None:
    """The panel, when something was loaded (the sample alone only if include_sample)."""
    cur = session.cursor()
    result = _changes(
        str(session.db_path()), warehouse.data_version(cur), identity.current().scope, cur
    )
    if result is None or not (include_sample or any(not f["is_sample"] for f in result["files"])):
        return
    with st.expander(f"What changed · {_md(words.headline(result))}", expanded=expanded):
        kpis = st.columns(2)
        for column, which, title in (
            (kpis[0], "all_time", "KPIs, all time"),
            (kpis[1], "period", f"KPIs, {words.period_words(result)}"),
        ):
            lines = words.kpi_lines(result, which)
            if result["kpis_before"] is not None:
                body = "\n".join(map(_line, lines)) or "No KPI moved."
                column.markdown(f"**{_md(title)}**\n\n{body}")
        st.markdown("\n".join(_line(line) for line in words.deal_lines(result)))
        for note in result["notes"]:
            st.caption(f":material/info: {_md(note)}")
