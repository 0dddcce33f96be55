"""The import page's load history and undo: loads named, a confirmation before, a message
after, and undone loads struck through in grey (issue 19, point 8)."""

from __future__ import annotations

import duckdb
import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from dashboard.core import tables
from dashboard.ingest import undo_words
from dashboard.ui import changes_panel, import_panels, widgets

DONE = "undo_done_message"  # survives the rerun after an undo, shown once
UNDONE_STYLE = "color: #8a8a8a; text-decoration: line-through"


def history_styler(styled: Styler) -> Styler:
    """Loads no longer in effect (undone, or remapped) greyed and struck through; the state
    column says which, in words. `styled` is the history as tables.for_people writes it."""
    state = tables.header("state")

    def row_style(row: pd.Series) -> list[str]:
        faded = row[state] != "in effect"
        return [UNDONE_STYLE if faded and col != state else "" for col in row.index]

    return styled.apply(row_style, axis=1)


def _row(record: dict) -> dict:
    """A history row (page labels) back under the load's own names, for undo_words."""
    names = {label: name for name, label in import_panels.HISTORY_LABELS.items()}
    return {names.get(k, k): v for k, v in record.items()}


def render(cur: duckdb.DuckDBPyConnection, history: pd.DataFrame) -> None:
    """The history table, then: pick a load (named), confirm, undo, say what happened."""
    # Headers in words, counts with separators, "—" for none; wrapped, nothing cut at 1440 px.
    widgets.table(history, kinds={"load": "text"}, wrap=True, restyle=history_styler)
    if said := st.session_state.pop(DONE, None):
        done, message = said
        (st.success if done else st.error)(message, icon=":material/undo:")
    rows = {int(r["load_id"]): r for r in map(_row, history.to_dict("records"))}
    active = [load for load, r in rows.items() if r["state"] == "in effect"]
    if not active:
        return
    chosen = st.selectbox(
        "Undo a load",
        active,
        index=None,
        format_func=lambda load: undo_words.load_label(rows[load]),
        placeholder="Pick a load: number · file · when · who · rows",
        key="undo_pick",
    )
    if chosen is None:
        return
    name = rows[chosen].get("file_name") or rows[chosen].get("source") or f"load {chosen}"
    before = undo_words.preview(cur, chosen, name)
    st.warning(undo_words.confirmation(before))
    if st.button(f"Yes, undo load {chosen}", icon=":material/undo:", type="primary"):
        said = import_panels.undo(cur, chosen)  # the undo itself, or why it cannot be done
        done = said.startswith(f"Undid load {chosen}:")
        st.session_state[DONE] = (done, undo_words.done(before) if done else said)
        st.session_state[changes_panel.JUST_CHANGED] = done  # the page shows what it changed
        del st.session_state["undo_pick"]
        st.rerun()
