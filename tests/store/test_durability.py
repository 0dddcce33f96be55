"""Durability: a process killed with SIGKILL (kill -9) during a load or an undo leaves the file
exactly as it was before (every table's rows and checksum, the data version), and a load or
undo that committed before the kill is all there after it.

Each case runs in a child process that dies at a chosen point: after the first table is
written, inside the summary rebuild, or just before or after COMMIT. The same operation run
to the end on a copy of the file gives the expected state after a committed operation.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard.store import sample, warehouse
from tests.conftest import frame

CHILD = r"""
import os, signal, sys
from pathlib import Path
import pandas as pd
from dashboard.store import summaries
from dashboard.store import warehouse

db, action, target, when = sys.argv[1:5]
con = warehouse.connect(Path(db))  # opened (and migrated) before any trap is set
if target != "none":
    owner, name = target.split(".")
    holder = {"warehouse": warehouse, "summaries": summaries,
              "transaction": warehouse.transaction}[owner]
    real = getattr(holder, name)
    calls = {"n": 0}

    def trap(*args, **kwargs):
        # transaction.__exit__(self, exc_type, ...): only the commit of a clean exit.
        if name == "__exit__" and args[1] is not None:
            return real(*args, **kwargs)
        calls["n"] += 1
        if when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        result = real(*args, **kwargs)
        if when == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(holder, name, trap)
print("ready", flush=True)
if action == "load":
    # Replace 300 of the sample's deals (their old rows go to the archive) and add 30,000.
    old = con.execute("select deal_id from deals order by deal_id limit 300").fetchall()
    ids = [r[0] for r in old] + [f"NEW-{i}" for i in range(30_000)]
    deals = pd.DataFrame({"deal_id": ids, "status": "won", "amount": 7.0,
                          "account_id": "A-none", "pipeline": "P", "stage": "Won"})
    deals["closed_at"] = pd.Timestamp("2026-01-05")
    warehouse.load_frames(con, {"deals": deals}, source="test", file_name="big.csv")
elif action == "import":
    # A first import of the user's own orders, removing the sample (the page's default).
    from dashboard.ingest import loader
    data = "Customer,Order Date,Total\n" + "".join(
        f"Own customer {i},2026-01-{1 + i % 28:02d},{i}.5\n" for i in range(2000)
    )
    ins = loader.inspect(con, data.encode(), "own-orders.csv")
    loader.commit(con, ins, remove_sample=True)
    loader.close(con, ins)
elif action == "undo":
    warehouse.undo_load(con, int(warehouse.scalar(con, "select max(load_id) from loads")))
print("finished", flush=True)
"""


def snapshot(path: Path) -> dict[str, object]:
    """Every table of the file: row count and an order-independent checksum of its rows."""
    con = warehouse.connect(path)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'main'"
                " and table_type = 'BASE TABLE' order by 1"
            ).fetchall()
        ]
        out: dict[str, object] = {"data_version": warehouse.data_version(con)}
        for table in tables:
            out[table] = con.execute(
                f'select count(*), coalesce(sum(hash(t)), 0) from "{table}" t'  # noqa: S608
            ).fetchall()[0]
        return out
    finally:
        con.close()


def without_times(state: dict[str, object]) -> dict[str, object]:
    """The loads table records wall-clock times: compare it by row count only."""
    return {k: (v[0] if k == "loads" else v) for k, v in state.items()}


def run_child(db: Path, action: str, target: str = "none", when: str = "before"):
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(db), action, target, when],
        capture_output=True,
        text=True,
        timeout=240,
    )


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    """The small sample plus one load that replaced some of its deals (so the archive and
    undo have work to do)."""
    path = tmp_path_factory.mktemp("durable") / "warehouse.duckdb"
    con = warehouse.connect(path)
    sample.load_sample(con, scale=0.05)
    ids = [
        r[0] for r in con.execute("select deal_id from deals order by deal_id limit 5").fetchall()
    ]
    warehouse.load_frames(
        con, {"deals": frame("deal_id status amount", [(i, "lost", 1) for i in ids])}, source="t"
    )
    con.close()
    return path


def copy_of(base: Path, folder: Path) -> Path:
    folder.mkdir()
    target = folder / base.name
    shutil.copy(base, target)
    return target


@pytest.fixture(scope="module")
def after_load(base_db, tmp_path_factory) -> dict[str, object]:
    """The state a completed load gives (run to the end on a copy)."""
    db = copy_of(base_db, tmp_path_factory.mktemp("control") / "load")
    done = run_child(db, "load")
    assert done.returncode == 0 and "finished" in done.stdout, done.stderr
    return snapshot(db)


@pytest.fixture(scope="module")
def after_undo(base_db, tmp_path_factory) -> dict[str, object]:
    db = copy_of(base_db, tmp_path_factory.mktemp("control") / "undo")
    done = run_child(db, "undo")
    assert done.returncode == 0 and "finished" in done.stdout, done.stderr
    return snapshot(db)


KILL_POINTS = [
    ("warehouse._append", "after"),  # rows of the first table written, nothing committed
    ("warehouse._archive_replaced", "after"),  # old rows moved to the archive
    ("summaries.rebuild", "before"),  # every row written, summaries about to be rebuilt
    ("warehouse._record_load", "after"),  # the load recorded, version moved
    ("transaction.__exit__", "before"),  # the instant before COMMIT
]
UNDO_KILL_POINTS = [
    ("warehouse._undo_table", "after"),  # the first table's rows deleted and restored
    ("summaries.rebuild", "before"),
    ("warehouse._bump_version", "after"),
    ("transaction.__exit__", "before"),
]


@pytest.mark.parametrize("target, when", KILL_POINTS, ids=[t for t, _ in KILL_POINTS])
def test_kill_9_during_a_load_leaves_everything_as_before(
    base_db, after_load, tmp_path, target, when
):
    db = copy_of(base_db, tmp_path / "db")
    before = snapshot(db)
    assert before != after_load  # the load changes things: the comparison means something
    done = run_child(db, "load", target, when)
    assert done.returncode == -9, done.stderr  # really killed, by SIGKILL
    assert "finished" not in done.stdout
    assert snapshot(db) == before
    # The file is healthy: the same load now runs to the end and gives the normal result.
    again = run_child(db, "load")
    assert again.returncode == 0, again.stderr
    assert without_times(snapshot(db)) == without_times(after_load)


@pytest.mark.parametrize("target, when", UNDO_KILL_POINTS, ids=[t for t, _ in UNDO_KILL_POINTS])
def test_kill_9_during_an_undo_leaves_everything_as_before(
    base_db, after_undo, tmp_path, target, when
):
    db = copy_of(base_db, tmp_path / "db")
    before = snapshot(db)
    assert before != after_undo
    done = run_child(db, "undo", target, when)
    assert done.returncode == -9, done.stderr
    assert snapshot(db) == before
    again = run_child(db, "undo")
    assert again.returncode == 0, again.stderr
    assert without_times(snapshot(db)) == without_times(after_undo)


@pytest.mark.parametrize("action", ["load", "undo"])
def test_kill_9_right_after_commit_keeps_the_committed_work(
    base_db, after_load, after_undo, tmp_path, action
):
    db = copy_of(base_db, tmp_path / "db")
    done = run_child(db, action, "transaction.__exit__", "after")
    assert done.returncode == -9, done.stderr
    expected = after_load if action == "load" else after_undo
    assert without_times(snapshot(db)) == without_times(expected)


def test_kill_9_at_unplanned_moments_gives_before_or_after_never_a_mix(
    base_db, after_load, tmp_path
):
    """A kill from outside, at moments spread over the load (timing decides where it lands:
    reading, writing, rebuilding summaries, committing or checkpointing)."""
    outcomes = []
    for n, delay in enumerate((0.3, 0.8, 1.5, 3.0)):
        db = copy_of(base_db, tmp_path / f"db{n}")
        before = snapshot(db)
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(db), "load", "none", "never"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert child.stdout.readline().strip() == "ready"
        time.sleep(delay)
        child.kill()  # SIGKILL
        child.wait(timeout=60)
        state = snapshot(db)
        if state == before:
            outcomes.append("before")
        else:
            assert without_times(state) == without_times(after_load), f"a mix at {delay}s"
            outcomes.append("after")
    assert outcomes  # each run was checked against one of the two states


@pytest.fixture(scope="module")
def sample_only_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sample_only") / "warehouse.duckdb"
    con = warehouse.connect(path)
    sample.load_sample(con, scale=0.05)
    con.close()
    return path


def test_a_first_import_and_the_sample_removal_land_together_or_not_at_all(
    sample_only_db, tmp_path
):
    """The import page's first load removes the sample. Both are one transaction: killed at
    the first COMMIT's end, the file holds the import *and* no sample (before, the import
    committed alone and a crash left the user's rows mixed with the sample, unannounced);
    killed just before it, the file is as before."""
    control = copy_of(sample_only_db, tmp_path / "control")
    assert run_child(control, "import").returncode == 0
    expected = without_times(snapshot(control))
    con = warehouse.connect(control)
    assert con.execute("select count(*) from deals").fetchall() == [(0,)]  # sample gone
    con.close()

    after_first_commit = copy_of(sample_only_db, tmp_path / "after")
    done = run_child(after_first_commit, "import", "transaction.__exit__", "after")
    assert done.returncode == -9, done.stderr
    assert without_times(snapshot(after_first_commit)) == expected

    before_commit = copy_of(sample_only_db, tmp_path / "before")
    before = snapshot(before_commit)
    done = run_child(before_commit, "import", "transaction.__exit__", "before")
    assert done.returncode == -9, done.stderr
    assert snapshot(before_commit) == before
