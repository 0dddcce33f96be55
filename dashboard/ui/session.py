"""Streamlit glue: the process-wide connection, a cursor per session, and cached queries."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import duckdb
import streamlit as st

from dashboard.core.filters import Filters
from dashboard.engines import settings as engine
from dashboard.store import sample, warehouse
from dashboard.ui import identity

T = TypeVar("T")
_first_start_lock = threading.Lock()
_session_locks_lock = threading.Lock()


def db_path() -> Path:
    return warehouse.default_db_path()


@contextmanager
def one_run_at_a_time() -> Iterator[None]:
    """Hold this session's lock for a whole script run. Streamlit starts a session's new run
    (runner.fastReruns) while the run it replaces may still be inside a DuckDB call on the
    session's cursor, and a cursor used by two threads at once raises "connection is busy".
    The new run waits here until the old one reaches its next Streamlit call and stops."""
    with _session_locks_lock:
        lock = st.session_state.get("run_lock")
        if lock is None:
            lock = st.session_state["run_lock"] = threading.Lock()
    with lock:
        yield


def cursor() -> duckdb.DuckDBPyConnection:
    """This session's own cursor on the shared connection (connections are not thread-safe).
    It lives as long as the session (an import's temp tables span runs); runs of one session
    take turns on it (one_run_at_a_time)."""
    path = str(db_path())
    key = f"cursor::{path}"
    if key not in st.session_state:
        con = warehouse.SharedConnection.get(Path(path))
        spinner = st.spinner("First start: generating and loading the sample company…")
        with _first_start_lock, spinner:
            loaded = sample.ensure_sample(con)
        if loaded is not None:
            st.session_state["sample_just_loaded"] = True
        st.session_state[key] = warehouse.SharedConnection.cursor(Path(path))
    return st.session_state[key]


def query_cursor():
    """What data functions run on: this session's DuckDB cursor, or a Spark cursor when
    CRM_DASHBOARD_ENGINE=spark (see engines/settings.py); imports always use cursor()."""
    duck = cursor()
    if engine.name() == "duckdb":
        return duck
    key = f"query_cursor::{db_path()}"
    if key not in st.session_state:  # the spinner only while Spark starts for this session
        with st.spinner("Starting Spark and reading the Parquet export…"):
            st.session_state[key] = engine.query_cursor(duck, db_path())
    return st.session_state[key]


def filters() -> Filters:
    """The filters the entry script's sidebar left for the page, within the person's grant."""
    return st.session_state.get("filters", Filters()).within(identity.current().scope)


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(name: str, filters: Filters, options: tuple, db: str, version: int, _fn, _cur):
    # The key: the function's name, the filters, page options, the database, its data version.
    return _fn(_cur, filters, **dict(options))


def cached(fn: Callable[..., T], filters: Filters, **options: object) -> T:
    """fn(cursor, filters, **options), cached per filters, options and data version, shared by
    all sessions. Options must be hashable values (str, int, date, tuples).
    The filters are narrowed to the person's grant first, so every data function runs within
    it and the cache key holds it (whatever filters a page passes, even Filters())."""
    filters = filters.within(identity.current().scope)
    cur = query_cursor()
    name = f"{fn.__module__}.{fn.__qualname__}"
    key = tuple(sorted(options.items()))
    source, version = engine.cache_identity(cur, db_path())
    return _cached(name, filters, key, source, version, fn, cur)


def later(fn: Callable[..., T], filters: Filters, **options: object) -> Callable[[], T]:
    """cached(fn, filters, **options) when called, not now: for what only a click needs (a
    download's full list). The grant, cursor and data version are taken now, in the page's
    run; the call gets a cursor of its own (it runs on a server thread, perhaps while the
    session's run holds the session's cursor)."""
    filters = filters.within(identity.current().scope)
    cur = query_cursor()
    name = f"{fn.__module__}.{fn.__qualname__}"
    key = tuple(sorted(options.items()))
    source, version = engine.cache_identity(cur, db_path())
    path, is_duck = db_path(), isinstance(cur, duckdb.DuckDBPyConnection)

    def call() -> T:
        own = warehouse.SharedConnection.cursor(path) if is_duck else cur
        return _cached(name, filters, key, source, version, fn, own)

    return call


@st.cache_data(show_spinner=False, max_entries=128)
def _derived(name: str, filters: Filters, key: object, db: str, version: int, _fn, _inputs):
    return _fn(*_inputs)


def derived(fn: Callable[..., T], filters: Filters, key: object, *inputs: object) -> T:
    """fn(*inputs), computed once per filters, data version and key, shared by sessions: for
    a page's own work on what cached() returned (the health page rescored 100,000 accounts on
    every rerun). The inputs must follow from the filters and the data version; `key` holds
    whatever else the result depends on (the preset with its what-if weights)."""
    filters = filters.within(identity.current().scope)
    name = f"{fn.__module__}.{fn.__qualname__}"
    source, version = engine.cache_identity(query_cursor(), db_path())
    return _derived(name, filters, key, source, version, fn, inputs)
