"""Start the real server the way `make run` does, on a free port with its own database."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SERVER_LOGS = ARTIFACTS / "server-logs"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early:\n{_log_of(proc)}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"server at {url} not healthy after {timeout}s")


def start_server(db: Path, **env: str) -> tuple[subprocess.Popen, str]:
    """`crm-dashboard serve --db db` on a free port, with extra environment variables; returns
    the process and its URL once healthy (the process is stopped if it never gets there).

    The port is free when picked, but another process (say another xdist worker's server) may
    take it before Streamlit binds it: then Streamlit exits with "Port N is not available" and
    the server is started again on another port."""
    cli = Path(sys.executable).with_name("crm-dashboard")
    command = [str(cli)] if cli.exists() else [sys.executable, "-m", "dashboard.cli"]
    for attempt in range(3):
        port = _free_port()
        # The log goes to a file, never an unread pipe: a full pipe (64 KB of warnings or
        # logged tracebacks) would block the server in the middle of a page.
        log = SERVER_LOGS / f"server-{port}-{os.getpid()}-{attempt}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "w") as out:
            proc = subprocess.Popen(
                [*command, "serve", "--port", str(port), "--db", str(db)],
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
            )
        proc.log_path = log
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, proc, timeout=120)
        except RuntimeError as exc:
            stop_server(proc)
            if "is not available" in str(exc) and attempt < 2:
                continue
            raise
        except BaseException:
            stop_server(proc)
            raise
        return proc, url
    raise AssertionError("not reached")


def stop_server(proc: subprocess.Popen) -> str:
    """Stop a server from start_server; returns everything it logged."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return _log_of(proc)


def _log_of(proc: subprocess.Popen) -> str:
    """What the server logged so far (kept in test-artifacts/server-logs/ after the run)."""
    path = getattr(proc, "log_path", None)
    return path.read_text(errors="replace") if path and path.exists() else ""


@pytest.fixture(scope="package")
def server(tmp_path_factory):
    """`crm-dashboard serve` on an empty database file: the first start loads the sample.

    One server for the page tests of this folder, which only read (each in its own browser
    context, so its own session and filters): starting one per module cost a server start and a
    sample load each. A test that changes the data starts its own (test_import_browser)."""
    proc, url = start_server(tmp_path_factory.mktemp("browser") / "warehouse.duckdb")
    try:
        yield url
    finally:
        stop_server(proc)


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for the folder; every test opens its own context in it."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run should have installed Debian chromium")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium chromium-driver)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    yield pg
    context.close()
