"""Uploads on the server (issue 21, points 6 and 7): the upload box's cap, and staged copies
deleted after a crash (at start-up), after a session ends and after a set age, never the files
that back a kept load."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard import cli
from dashboard.ingest import files, kept, loader, uploads
from dashboard.store import warehouse

DEALS = b"deal_id,stage,amount\nK1,Proposal,100\nK2,Won,200\n"


def _dead_pid() -> int:
    """The id of a process that has exited (its own child, waited for)."""
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    return int(child.stdout)


def _staged(folder: Path, pid: int, n: int, age_hours: float = 0.0) -> Path:
    path = folder / f"upload-{pid}-{n}.csv"
    path.write_bytes(DEALS)
    stamp = time.time() - age_hours * 3600
    os.utime(path, (stamp, stamp))
    return path


@pytest.mark.parametrize(
    ("upload", "import_mb", "expected"),
    [
        (None, None, 200),  # the default: Streamlit's own, below the importer's 2048 MB
        ("50", None, 50),
        ("99.5", None, 99),
        ("500", "300", 300),  # never above the importer's limit
        ("lots", None, 200),  # unreadable: the default
        ("-5", None, 200),
    ],
)
def test_the_upload_box_cap(monkeypatch, upload, import_mb, expected):
    for name, value in ((uploads.MAX_UPLOAD_ENV, upload), (files.MAX_IMPORT_ENV, import_mb)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    # Streamlit's --server.maxUploadSize takes an integer: "200.0" stops the server
    assert str(uploads.max_upload_mb()) == str(expected)


def test_serve_caps_uploads_and_deletes_what_a_crash_left(monkeypatch, tmp_path):
    db = tmp_path / "w.duckdb"
    warehouse.connect(db).close()
    folder = warehouse.import_dir(db)
    crashed = _staged(folder, _dead_pid(), 1)  # a server killed with files in its box
    mine = _staged(folder, os.getpid(), 2)  # the same pid, an earlier process: stale too
    running = _staged(folder, os.getppid(), 3)  # a live process's fresh copy: kept
    (folder / kept.SUBFOLDER).mkdir()
    backing = folder / kept.SUBFOLDER / "7-0123456789abcdef.csv"  # backs load 7: never deleted
    backing.write_bytes(DEALS)
    seen = {}
    monkeypatch.setattr(cli.os, "execvpe", lambda program, command, env: seen.update(c=command))
    monkeypatch.setenv(uploads.MAX_UPLOAD_ENV, "64")
    assert cli.main(["serve", "--db", str(db)]) == 0
    assert seen["c"][seen["c"].index("--server.maxUploadSize") + 1] == "64"
    assert not crashed.exists() and not mine.exists()
    assert running.exists() and backing.exists()


def test_the_sweep_deletes_old_copies_and_those_of_dead_processes(tmp_path):
    live, dead = 101, 202
    alive = {live}.__contains__
    fresh = _staged(tmp_path, live, 1, age_hours=1)
    old = _staged(tmp_path, live, 2, age_hours=25)  # a session nobody used for a day
    orphan = _staged(tmp_path, dead, 3)
    other = tmp_path / "upload-notes.csv"  # not a staged copy's name: left alone
    other.write_bytes(b"x")
    loads = tmp_path / kept.SUBFOLDER
    loads.mkdir()
    backing = _staged(loads, dead, 4, age_hours=100)  # kept loads are never swept
    deleted = uploads.sweep(tmp_path, alive=alive)
    assert sorted(p.name for p in deleted) == sorted([old.name, orphan.name])
    assert fresh.exists() and other.exists() and backing.exists()


def test_the_age_is_configurable(tmp_path, monkeypatch):
    monkeypatch.setenv(uploads.STAGED_AGE_ENV, "2")
    three_hours = _staged(tmp_path, os.getpid(), 1, age_hours=3)
    one_hour = _staged(tmp_path, os.getpid(), 2, age_hours=1)
    uploads.sweep(tmp_path)
    assert not three_hours.exists() and one_hour.exists()


def test_a_session_that_ends_takes_its_staged_copies_but_not_a_kept_load(con):
    folder = warehouse.import_dir(loader._db_path(con))
    session = uploads.SessionUploads()
    loaded = loader.inspect(con, DEALS, "loaded.csv", table="deals")
    left = loader.inspect(con, b"deal_id,stage\nL1,Won\n", "left.csv", table="deals")
    session.track(loaded.staged.path)
    session.track(left.staged.path)
    result = loader.commit(con, loaded)  # kept as the load's file (a link in loads/)
    backing = kept.find(folder, result.load_id)
    assert backing is not None and left.staged.path.exists()
    del session  # the page session is gone with "left.csv" still in its upload box
    gc.collect()
    assert not left.staged.path.exists() and not loaded.staged.path.exists()
    assert backing.exists() and backing.read_bytes().startswith(b"deal_id")
    assert list(folder.glob("upload-*")) == []
