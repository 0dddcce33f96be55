"""The "what changed" panel: on the overview after any load, on the import page right after
a load or an undo. One collapsed line until opened, so the tiles stay where they are."""

from __future__ import annotations

import logging
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path

import duckdb
import streamlit as st

from dashboard.analytics.changes import data as changes
from dashboard.analytics.changes import words
from dashboard.core import queries
from dashboard.core.filters import Filters, Scope
from dashboard.store import warehouse
from dashboard.ui import identity, session

JUST_CHANGED = "changes_just_loaded"  # session flag: the import page shows the panel open
# Markdown (and Streamlit's $…$ maths) characters in data: file, deal and competitor names.
log = logging.getLogger("dashboard.ui")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
# Above this many deals the collapsed panel is worked out off the page's run: at a million
# deals it took 31 s (13 s CPU), the overview's first visit after a load waited for all of it.
BACKGROUND_FROM_DEALS = 200_000
POLL_SECONDS = 3
_jobs: dict[tuple, Future] = {}  # (db, data version, scope) -> the panel's result, at most 8
_jobs_lock = threading.Lock()
_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="changes-panel")


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
    """The panel, when something was loaded (the sample alone only if include_sample). Shut,
    on a large warehouse, it is worked out in the background and appears when ready, so the
    page under it is not held up; opened (the import page, right after a load) it is waited for."""
    cur = session.cursor()
    db, scope = str(session.db_path()), identity.current().scope
    job = None if expanded else start_in_background(cur, db, Filters(scope=scope))
    if job is None:
        _draw(_changes(db, warehouse.data_version(cur), scope, cur), expanded, include_sample)
        return
    if job.done():
        _draw(job.result(), expanded, include_sample)
    else:
        _wait_for(job)


def start_in_background(cur: duckdb.DuckDBPyConnection, db: str, within: Filters) -> Future | None:
    """The panel's job for the data version and grant of `within` (started once, by the first
    page that asks or by the server's warm start: ui/warm_up.py); None when the warehouse is
    small enough for the page to work the panel out itself."""
    size = queries.run_one(cur, "deal_count", within.scope_params())["count_deals"]
    if size < BACKGROUND_FROM_DEALS:
        return None
    return _background(db, warehouse.data_version(cur), within.scope)


def _background(db: str, version: int, scope: Scope) -> Future:
    """The panel's result for this data version and grant, computed once on a worker thread
    with a cursor of its own (the session's cursor stays with the page's run)."""
    key = (db, version, scope)
    with _jobs_lock:
        if key not in _jobs:
            while len(_jobs) >= 8:
                _jobs.pop(next(iter(_jobs)))
            _jobs[key] = _worker.submit(_latest_change, db, scope)
        return _jobs[key]


def wait_for_background(timeout: float | None = None) -> None:
    """Until every panel being worked out in the background is done (each on a cursor of the
    process's shared connection, which cannot be closed while one is busy)."""
    with _jobs_lock:
        jobs = list(_jobs.values())
    wait(jobs, timeout)  # a job's failure is _latest_change's to log, not raised here


def _latest_change(db: str, scope: Scope) -> dict | None:
    own = warehouse.SharedConnection.cursor(Path(db))
    try:
        return changes.changes_since(own, scope=scope)
    except changes.ChangesError:
        return None
    except Exception:  # the panel is a note above the page: a failure leaves it out, logged
        log.exception("the changes panel failed")
        return None
    finally:
        own.close()


@st.fragment(run_every=POLL_SECONDS)
def _wait_for(job: Future) -> None:
    """One line while the panel is worked out; the page reruns once when it is ready."""
    if job.done():
        st.rerun()
    st.caption(":material/hourglass_top: Working out what the latest load changed…")


def _draw(result: dict | None, expanded: bool, include_sample: bool) -> None:
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
