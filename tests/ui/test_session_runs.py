"""Runs of one session take turns on its DuckDB cursor (Streamlit's fastReruns starts a new
run while the replaced one may still be inside a DuckDB call; CI saw "connection is busy")."""

from __future__ import annotations

import threading
import time

import duckdb
import pytest

from dashboard.store import warehouse
from dashboard.ui import session


@pytest.fixture
def state(monkeypatch):
    fake: dict = {}
    monkeypatch.setattr(session.st, "session_state", fake)
    return fake


def test_a_new_run_waits_for_the_run_it_replaces(state):
    order: list[str] = []
    first_inside = threading.Event()

    def old_run():
        with session.one_run_at_a_time():
            first_inside.set()
            time.sleep(0.3)  # still inside a DuckDB call when the new run starts
            order.append("old run ends")

    def new_run():
        first_inside.wait()
        with session.one_run_at_a_time():
            order.append("new run starts")

    threads = [threading.Thread(target=old_run), threading.Thread(target=new_run)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert order == ["old run ends", "new run starts"]


def test_the_run_lock_is_released_when_the_run_stops(state):
    class Stop(Exception):  # st.stop() and a rerun end a run with an exception
        pass

    with pytest.raises(Stop), session.one_run_at_a_time():
        raise Stop
    assert state["run_lock"].acquire(timeout=1)


def test_cursors_for_many_threads_at_once(tmp_path):
    """Sessions' first runs ask the shared connection for cursors at the same moment."""
    path = tmp_path / "w.duckdb"
    warehouse.SharedConnection.get(path)
    made: list[duckdb.DuckDBPyConnection] = []
    errors: list[BaseException] = []

    def take():
        try:
            for _ in range(50):
                made.append(warehouse.SharedConnection.cursor(path))
        except BaseException as e:  # noqa: BLE001 - the test reports any failure
            errors.append(e)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and len(made) == 200
    assert made[0].execute("select 1").fetchone() == (1,)
    warehouse.SharedConnection.close_all()
