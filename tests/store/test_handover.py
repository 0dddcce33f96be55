"""The hand-over folder: private, atomic, stale requests dropped, output caught per thread."""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path

import pytest

from dashboard.store import handover
from dashboard.store.handover import Answer, Request


def _request(db: Path, **changes) -> Request:
    return Request(**{"argv": ["kpis"], "db": str(db), "cwd": "/", "person": "ann", **changes})


def _submit(db: Path, request: Request) -> Path:
    folder = handover.private_folder(handover.spool_dir(db))
    handover._write_atomically(folder, f"{request.id}.request", asdict(request))
    return folder / f"{request.id}.request"


def test_the_folder_is_made_private_and_one_open_to_others_is_refused(tmp_path):
    db = tmp_path / "w.duckdb"
    folder = handover.private_folder(handover.spool_dir(db))
    assert folder == tmp_path / "w.duckdb.requests"
    assert folder.stat().st_mode & 0o777 == 0o700
    folder.chmod(0o755)  # someone widened it: requests could be read or planted
    with pytest.raises(handover.HandoverError, match="chmod 700"):
        handover.private_folder(folder)


def test_a_link_in_place_of_the_folder_is_refused(tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    link = handover.spool_dir(tmp_path / "w.duckdb")
    link.symlink_to(target)
    with pytest.raises(handover.HandoverError):
        handover.private_folder(link)


def test_a_request_is_answered_once_and_its_files_are_gone(tmp_path):
    db = tmp_path / "w.duckdb"
    seen = []

    def run(request: Request) -> Answer:
        seen.append(request.argv)
        return Answer(1, "out\n", "err\n")

    request = _request(db)
    path = _submit(db, request)
    handover.answer_one(path, db, run)
    handover.answer_one(path, db, run)  # already claimed: not run twice
    assert seen == [["kpis"]]
    answer = path.with_name(f"{request.id}.answer")
    assert handover._read_own_file(answer) == {"exit_code": 1, "stdout": "out\n", "stderr": "err\n"}
    assert sorted(p.name for p in path.parent.iterdir()) == [answer.name]  # no .running, no .tmp


def test_a_request_older_than_the_timeout_is_dropped_unrun(tmp_path, monkeypatch):
    monkeypatch.setenv(handover.TIMEOUT_ENV, "5")
    db = tmp_path / "w.duckdb"
    path = _submit(db, _request(db, created=time.time() - 6))  # its client stopped waiting
    handover.answer_one(path, db, lambda r: pytest.fail("a stale request ran"))
    assert list(path.parent.iterdir()) == []


def test_a_request_for_another_database_is_answered_with_a_refusal(tmp_path):
    db = tmp_path / "w.duckdb"
    other = tmp_path / "other.duckdb"
    request = _request(other)
    # Planted in db's folder (the client would use other's): the app runs nothing for it.
    folder = handover.private_folder(handover.spool_dir(db))
    handover._write_atomically(folder, f"{request.id}.request", asdict(request))
    handover.answer_one(folder / f"{request.id}.request", db, lambda r: pytest.fail("ran"))
    answer = handover._read_own_file(folder / f"{request.id}.answer")
    assert answer["exit_code"] == 2 and f"serves {db}, not {other}" in answer["stderr"]


def test_ask_returns_the_desks_answer(tmp_path):
    db = tmp_path / "w.duckdb"
    folder = handover.private_folder(handover.spool_dir(db))
    stop = threading.Event()

    def desk():
        while not stop.is_set():
            for path in folder.glob("*.request"):
                handover.answer_one(path, db, lambda r: Answer(0, " ".join(r.argv), r.person))
            time.sleep(0.05)

    thread = threading.Thread(target=desk, daemon=True)
    thread.start()
    try:
        answer = handover.ask(_request(db, argv=["kpis", "--format", "table"]), timeout=60)
    finally:
        stop.set()
        thread.join()
    assert answer == Answer(0, "kpis --format table", "ann")


def test_ask_gives_up_with_one_sentence_and_takes_its_request_back(tmp_path):
    db = tmp_path / "w.duckdb"
    with pytest.raises(handover.HandoverError) as caught:
        handover.ask(_request(db), timeout=0.3)
    assert str(caught.value).startswith(f"The app serving {db} did not answer within 0.3 s;")
    assert handover.TIMEOUT_ENV in str(caught.value)
    assert list(handover.spool_dir(db).iterdir()) == []  # no request left for a late app


def test_settings_are_compared_by_hash_and_named_when_they_differ(monkeypatch):
    monkeypatch.setenv("CRM_DASHBOARD_SMTP_PASSWORD", "s3cret")
    monkeypatch.setenv("CRM_DASHBOARD_DB", "/mine.duckdb")  # named by the request itself
    mine = handover.settings()
    assert "s3cret" not in str(mine) and "CRM_DASHBOARD_DB" not in mine
    assert handover.differing_settings(mine) == []
    # A job that leaves a setting unset gets the app's; one that sets it otherwise is refused.
    theirs = {k: v for k, v in mine.items() if k != "CRM_DASHBOARD_SMTP_PASSWORD"}
    assert handover.differing_settings(theirs) == []
    theirs["CRM_DASHBOARD_SMTP_PASSWORD"] = "another hash"
    theirs["CRM_DASHBOARD_ALERTS"] = "a file the app was not given"
    assert handover.differing_settings(theirs) == [
        "CRM_DASHBOARD_ALERTS",
        "CRM_DASHBOARD_SMTP_PASSWORD",
    ]


def test_a_live_marker_names_the_app_and_a_dead_pid_is_ignored(tmp_path):
    db = tmp_path / "w.duckdb"
    folder = handover.private_folder(handover.spool_dir(db))
    assert handover.app_pid(db) is None
    handover._write_atomically(folder, handover.APP_MARKER, {"pid": os.getpid()})
    assert handover.app_pid(db) == os.getpid()
    dead = 2**22 + 12345  # above pid_max's default: no such process
    handover._write_atomically(folder, handover.APP_MARKER, {"pid": dead})
    assert handover.app_pid(db) is None


def test_output_is_caught_for_the_desks_thread_only():
    other_thread_wrote = []

    def other():
        other_thread_wrote.append(sys.stdout is not None)
        print("from the app's own thread")

    with handover.captured() as (out, err):
        print("handed over")
        print("a problem", file=sys.stderr)
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert (out.getvalue(), err.getvalue()) == ("handed over\n", "a problem\n")
    assert other_thread_wrote == [True]


def test_a_second_connect_in_the_app_process_joins_its_instance_without_setting_it_up(
    db_path, monkeypatch
):
    """What a handed-over command does inside the app: connect to the file the app holds. It
    gets the app's hardened instance and does not replace the macros again (a catalog write
    that could collide with an import the app is running); a fresh instance is set up."""
    from dashboard.store import macros, warehouse

    app = warehouse.connect(db_path)
    applied = []
    monkeypatch.setattr(macros, "apply", lambda con: applied.append(con))
    handed = warehouse.connect(db_path)
    assert applied == []
    assert warehouse.scalar(handed, "select current_setting('enable_external_access')") is False
    handed.close()
    app.close()  # the instance goes: the next open sets it up again
    warehouse.connect(db_path).close()
    assert len(applied) == 1


def test_answers_no_one_came_for_are_swept_after_twice_the_timeout(tmp_path, monkeypatch):
    monkeypatch.setenv(handover.TIMEOUT_ENV, "10")
    folder = handover.private_folder(handover.spool_dir(tmp_path / "w.duckdb"))
    old, fresh, crashed = folder / "a.answer", folder / "b.answer", folder / ".c.request.x.tmp"
    for path in (old, fresh, crashed):
        path.write_text("{}")
    for path in (old, crashed):
        os.utime(path, (time.time() - 21, time.time() - 21))  # 21 s > 2 x 10 s
    handover.sweep(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["b.answer"]
