"""Cron jobs while the app serves: `crm-dashboard kpis` and `alerts check` find the database held
by a real `crm-dashboard serve` and are answered by it, with the output, errors and exit code
they give when no app runs; writing commands are refused; a holder that never answers times out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.store import handover
from tests.alerts.conftest import UNDER_51, load_company, write_rules
from tests.browser.conftest import start_server, stop_server
from tests.conftest import loaded

CLI = Path(sys.executable).with_name("crm-dashboard")
FIRES = UNDER_51.format(recipients='["outbox"]')  # April's win rate 2/4 = 0.5, below 0.51


def crm(*argv: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CLI), *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        # Generous: the machine may be slow; the timeout test sets its own.
        env={**os.environ, handover.TIMEOUT_ENV: "600", **env},
    )


def outcome(done: subprocess.CompletedProcess) -> tuple[int, str, str]:
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Two identical copies of the hand-made company (tests/alerts/conftest.py): `alone` for runs
    with no app, `held` held by a real `crm-dashboard serve`. The rules file sits in each
    copy's folder and is named relatively (from the job's working folder)."""
    folders = {}
    template = loaded(tmp_path_factory.mktemp("company") / "warehouse.duckdb", load_company)
    for name in ("alone", "held"):
        folder = tmp_path_factory.mktemp(name)
        shutil.copyfile(template, folder / "warehouse.duckdb")
        write_rules(folder, FIRES)
        folders[name] = folder
    proc, _url = start_server(folders["held"] / "warehouse.duckdb")
    try:
        yield folders
    finally:
        stop_server(proc)


def _locked(folder: Path) -> bool:
    """The app holds the file from start-up (not only once a browser visits)."""
    probe = "import duckdb, sys; duckdb.connect(sys.argv[1])"
    db = str(folder / "warehouse.duckdb")
    return subprocess.run([sys.executable, "-c", probe, db], capture_output=True).returncode != 0


def test_kpis_answered_by_the_app_are_what_kpis_print_alone(served):
    argv = ["kpis", "--db", "warehouse.duckdb", "--format", "table"]
    alone = crm(*argv, cwd=served["alone"])
    assert alone.returncode == 0, alone.stderr
    # 7 deals: won D1, D4, D5, D6; lost D2, D3, D7 -> win rate 4 / 7 = 0.5714.
    assert "deals_total" in alone.stdout and "win_rate" in alone.stdout
    assert "0.5714" in alone.stdout
    assert _locked(served["held"])
    assert outcome(crm(*argv, cwd=served["held"])) == outcome(alone)


def test_alerts_check_answered_by_the_app_fires_and_sends_as_alone(served):
    argv = ["alerts", "check", "--db", "warehouse.duckdb", "--rules", "alerts.toml"]
    alone = crm(*argv, cwd=served["alone"])
    assert alone.returncode == 1, alone.stderr  # the rule fires: exit 1
    assert "1 rule(s) checked, 1 firing" in alone.stdout
    held = crm(*argv, cwd=served["held"])
    assert outcome(held) == outcome(alone)
    # Sent once, to the outbox beside the rules (the app wrote it, as the same user).
    assert len(list((served["held"] / "outbox").glob("*.eml"))) == 1
    # Firing state is kept in the warehouse the app holds: checked again, nothing is re-sent.
    assert crm(*argv, "--format", "json", cwd=served["held"]).stdout.count('"delivered"') == 0


def test_a_mistake_is_the_same_sentence_and_exit_code_through_the_app(served):
    argv = ["kpis", "--db", "warehouse.duckdb", "--preset", "nonsense"]
    alone = crm(*argv, cwd=served["alone"])
    assert alone.returncode == 2 and "--preset 'nonsense' is not one of" in alone.stderr
    assert outcome(crm(*argv, cwd=served["held"])) == outcome(alone)


def test_a_command_that_writes_is_refused_while_the_app_serves(served):
    done = crm("undo", "1", "--db", "warehouse.duckdb", cwd=served["held"])
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"crm-dashboard undo: the app serving {served['held']}")
    assert "(only query, loads, answers, kpis, digest, changes, alerts check are)" in line
    assert line.endswith(
        "stop the app to run it, or import, undo and remap on the app's Import page."
    )


def test_a_setting_the_app_lacks_is_named_not_silently_ignored(served):
    # The app runs a handed-over command with its own environment: a job whose settings differ
    # would silently get another answer (here the engine; the same for rules, roles, SMTP).
    done = crm(
        "kpis", "--db", "warehouse.duckdb", cwd=served["held"], CRM_DASHBOARD_ENGINE="duckdb"
    )
    assert done.returncode == 2
    assert "this job sets CRM_DASHBOARD_ENGINE otherwise: leave it unset" in done.stderr


HOLD = (
    "import duckdb, json, os, sys, time; con = duckdb.connect(sys.argv[1]); "
    "marker = sys.argv[2]; "
    "marker and open(marker, 'w').write(json.dumps({'pid': os.getpid()})); "
    "print('held', flush=True); time.sleep(300)"
)


@pytest.fixture
def holder(tmp_path):
    """Start a plain process that holds the company's file: holder(as_app=True) also leaves the
    marker a serving app leaves, but has no thread to answer (an app stuck or hung)."""
    db = loaded(tmp_path / "warehouse.duckdb", load_company)
    started = []

    def start(as_app: bool) -> Path:
        marker = ""
        if as_app:
            folder = handover.private_folder(handover.spool_dir(db))
            marker = str(folder / handover.APP_MARKER)
        proc = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(db), marker], stdout=subprocess.PIPE, text=True
        )
        started.append(proc)
        assert proc.stdout.readline() == "held\n"
        return db

    yield start
    for proc in started:
        proc.kill()
        proc.wait()


def test_an_app_that_does_not_answer_times_out_in_one_sentence(holder, tmp_path):
    db = holder(as_app=True)
    done = crm("kpis", "--db", str(db), cwd=tmp_path, **{handover.TIMEOUT_ENV: "1"})
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(
        f"crm-dashboard kpis: The app serving {db} did not answer within 1 s;"
    )
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    assert list(handover.spool_dir(db).glob("*.request")) == []  # taken back: never run late


def test_a_holder_that_is_not_an_app_gets_duckdbs_reason_at_once(holder, tmp_path):
    db = holder(as_app=False)
    for argv in (["kpis"], ["undo", "1"]):  # no waiting for an app that is not there
        done = crm(*argv, "--db", str(db), cwd=tmp_path)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert f"Cannot open the database {db}: IO Error: Could not set lock" in done.stderr
        assert "Another crm-dashboard process may hold it" in done.stderr


def test_changes_and_digest_are_answered_by_the_app_too(served):
    argv = ["changes", "--db", "warehouse.duckdb"]
    alone = crm(*argv, cwd=served["alone"])
    assert alone.returncode == 0, alone.stderr
    assert outcome(crm(*argv, cwd=served["held"])) == outcome(alone)
    # The digest's relative --out is the job's folder, not the app's.
    argv = ["digest", "--db", "warehouse.duckdb", "--format", "md", "--out", "d/digest.md"]
    alone = crm(*argv, cwd=served["alone"])
    held = crm(*argv, cwd=served["held"])
    assert (alone.returncode, alone.stderr) == (0, ""), alone.stderr
    assert (held.returncode, held.stderr) == (0, ""), held.stderr
    assert held.stdout.endswith(f"to {served['held'] / 'd' / 'digest.md'}.\n")  # absolute
    assert (served["held"] / "d" / "digest.md").read_text() == (
        served["alone"] / "d" / "digest.md"
    ).read_text()
