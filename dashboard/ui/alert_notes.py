"""The alert check after a load on the import page: run where the load commits, its lines shown
on the next run of the page. A broken rules file or a failed delivery is said, never raised."""

from __future__ import annotations

import duckdb
import streamlit as st

from dashboard.alerts import check

KEY = "import_alerts_after_load"


def check_after_load(cur: duckdb.DuckDBPyConnection, user: str | None) -> None:
    lines = check.after_load(cur, user)
    if lines:
        st.session_state[KEY] = lines


def show() -> None:
    """What the last load's check found: fired rules and deliveries, or why it did not run."""
    lines = st.session_state.pop(KEY, None)
    if not lines:
        return
    failed = any(line.startswith("Alerts not checked") or "not sent" in line for line in lines)
    # check.summary indents a rule's deliveries under it: nested bullets here.
    text = "\n".join(f"{' ' * (len(line) - len(line.lstrip()))}- {line.strip()}" for line in lines)
    (st.warning if failed else st.info)(text, icon=":material/notifications:")
