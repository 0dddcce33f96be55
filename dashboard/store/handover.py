"""Hand a command-line command to the app that holds the database, and take its answer.

DuckDB lets one process hold a database file, and `crm-dashboard serve` holds it for its whole
life; a cron job's `crm-dashboard kpis` or `alerts check` could then not open it. Instead it
writes a request file into a private folder beside the database and waits; a thread in the
serving process (see dashboard/serving.py) runs the command in-process, where DuckDB's instance
cache lets it open the same file, and writes the answer (exit code, stdout, stderr) back.

Only the OS user who runs the app can use the folder: it is 0700 and owned by that user, and
every request file must be a regular file of theirs (checked after opening, symlinks refused).
Files are written under a temporary name and renamed, so a reader never sees half of one.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import io
import json
import os
import re
import secrets
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

TIMEOUT_ENV = "CRM_DASHBOARD_HANDOVER_TIMEOUT"
DEFAULT_TIMEOUT_S = 120.0
POLL_CLIENT_S = 0.1
POLL_APP_S = 0.25
MAX_REQUEST_BYTES = 1_000_000
APP_MARKER = "app.json"
_ID = re.compile(r"^[0-9a-f]{32}$")
# The app runs a command with its own environment: a setting the job gives must be the app's
# (else the job would silently get another answer). These do not change an answer.
SETTINGS_PREFIX = "CRM_DASHBOARD_"
SETTINGS_IGNORED = frozenset(
    {
        "CRM_DASHBOARD_DB",  # the request names its database
        "CRM_DASHBOARD_MEMORY_LIMIT",
        "CRM_DASHBOARD_MAX_IMPORT_MB",
        "CRM_DASHBOARD_TRUSTED_HEADER",
        TIMEOUT_ENV,
    }
)


class HandoverError(RuntimeError):
    """The command could not be handed to the app; the message says what to do."""


@dataclass(frozen=True)
class Answer:
    exit_code: int
    stdout: str = ""
    stderr: str = ""


@dataclass(frozen=True)
class Request:
    argv: list[str]
    db: str
    cwd: str
    person: str | None
    settings: dict[str, str] = field(default_factory=dict)
    id: str = field(default_factory=lambda: secrets.token_hex(16))
    created: float = field(default_factory=time.time)


def spool_dir(db_path: Path) -> Path:
    """One folder per database file (several may share a folder, and so its imports/)."""
    return db_path.parent / f"{db_path.name}.requests"


def timeout_s() -> float:
    try:
        value = float(os.environ.get(TIMEOUT_ENV, "").strip() or DEFAULT_TIMEOUT_S)
    except ValueError:
        return DEFAULT_TIMEOUT_S
    return value if value > 0 else DEFAULT_TIMEOUT_S


def settings() -> dict[str, str]:
    """This process's answer-changing settings, hashed: SMTP passwords stay out of the folder."""
    return {
        name: hashlib.sha256(value.encode()).hexdigest()
        for name, value in os.environ.items()
        if name.startswith(SETTINGS_PREFIX) and name not in SETTINGS_IGNORED
    }


def differing_settings(theirs: dict[str, str]) -> list[str]:
    """Settings the job gives with another value than the app's (or the app lacks). One the
    job leaves unset is the app's: a cron line need not repeat the app's configuration."""
    mine = settings()
    return sorted(name for name, value in theirs.items() if mine.get(name) != value)


def private_folder(folder: Path) -> Path:
    """The folder, created 0700 if missing; refused if it is a link, not ours, or open to others."""
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
        raise HandoverError(
            f"{folder} must be a folder of this user's that no one else can open (chmod 700); "
            "fix or remove it, then try again."
        )
    return folder


def _write_atomically(folder: Path, name: str, payload: dict) -> None:
    temporary = folder / f".{name}.{secrets.token_hex(4)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    with os.fdopen(os.open(temporary, flags, 0o600), "w", encoding="utf-8") as out:
        json.dump(payload, out)
    os.replace(temporary, folder / name)


def _read_own_file(path: Path) -> dict:
    """A JSON file of this user's, read through one descriptor (no swap between check and read)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as source:
        info = os.fstat(source.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            raise HandoverError(f"{path} is not a file of this user's.")
        data = source.read(MAX_REQUEST_BYTES + 1)
    if len(data) > MAX_REQUEST_BYTES:
        raise HandoverError(f"{path} is larger than a request can be.")
    return json.loads(data)


def app_pid(db_path: Path) -> int | None:
    """The pid of a running app that answers for this database, if there is one."""
    try:
        marker = _read_own_file(spool_dir(db_path) / APP_MARKER)
        pid = int(marker["pid"])
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid  # alive, someone else's: not ours to judge, the lock says it is held
    except (OSError, ValueError, KeyError, TypeError, HandoverError):
        return None
    return pid


# The client side: the command line.


def ask(request: Request, timeout: float | None = None) -> Answer:
    """Write the request, wait for the app's answer; HandoverError when none comes in time."""
    timeout = timeout_s() if timeout is None else timeout
    folder = private_folder(spool_dir(Path(request.db)))
    _write_atomically(folder, f"{request.id}.request", asdict(request))
    try:
        answer = _wait(folder / f"{request.id}.answer", timeout)
    except BaseException:  # Ctrl-C: the app must not run it later either
        (folder / f"{request.id}.request").unlink(missing_ok=True)
        raise
    if answer is not None:
        return answer
    try:
        (folder / f"{request.id}.request").unlink()
        taken = ""
    except FileNotFoundError:
        taken = " (it took the command and may still finish it)"
    raise HandoverError(
        f"The app serving {request.db} did not answer within {timeout:g} s{taken}; it may be "
        f"busy, or the process holding the database is not a crm-dashboard app: try again "
        f"later, set ${TIMEOUT_ENV} to wait longer, or stop that process."
    )


def _wait(answer_path: Path, timeout: float) -> Answer | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answer_path.exists():
            payload = _read_own_file(answer_path)
            answer_path.unlink(missing_ok=True)
            return Answer(int(payload["exit_code"]), payload["stdout"], payload["stderr"])
        time.sleep(POLL_CLIENT_S)
    return None


# The app side: one thread that answers requests in order.


def open_desk(db_path: Path, run: Callable[[Request], Answer]) -> threading.Thread:
    """Start the thread that answers requests for db_path with run(request)."""
    folder = private_folder(spool_dir(db_path))
    _write_atomically(folder, APP_MARKER, {"pid": os.getpid(), "db": str(db_path)})
    atexit.register(_close_desk, folder)
    thread = threading.Thread(
        target=_answer_forever, args=(folder, db_path, run), name="cli-handover", daemon=True
    )
    thread.start()
    return thread


def _close_desk(folder: Path) -> None:
    """The marker goes with the app (a stale one names a dead pid, which app_pid ignores)."""
    with contextlib.suppress(OSError, ValueError, KeyError, HandoverError):
        if _read_own_file(folder / APP_MARKER)["pid"] == os.getpid():
            (folder / APP_MARKER).unlink()


def _answer_forever(folder: Path, db_path: Path, run: Callable[[Request], Answer]) -> None:
    while True:
        sweep(folder)
        for path in sorted(folder.glob("*.request")):
            try:
                answer_one(path, db_path, run)
            except Exception as exc:  # noqa: BLE001 - one bad request must not stop the desk
                print(f"crm-dashboard serve: request {path.name} failed: {exc}", file=_real_err())
        time.sleep(POLL_APP_S)


def sweep(folder: Path) -> None:
    """Answers no one came for (their client gave up) and temporary files a crash left."""
    too_old = time.time() - 2 * timeout_s()
    for path in [*folder.glob("*.answer"), *folder.glob(".*.tmp")]:
        with contextlib.suppress(OSError):
            if path.lstat().st_mtime < too_old:
                path.unlink()


def answer_one(path: Path, db_path: Path, run: Callable[[Request], Answer]) -> None:
    """Claim one request (rename), run it, write its answer; stale or foreign ones are dropped."""
    request_id = path.name.removesuffix(".request")
    if not _ID.match(request_id):
        return
    claimed = path.with_name(f"{request_id}.running")
    try:
        os.rename(path, claimed)  # the client may have given up and removed it
    except FileNotFoundError:
        return
    try:
        request = Request(**_read_own_file(claimed))
        if request.id != request_id or time.time() - float(request.created) > timeout_s():
            return  # the client has stopped waiting: running it now would surprise someone
        if Path(request.db) != db_path:
            answer = Answer(
                2, stderr=f"crm-dashboard: this app serves {db_path}, not {request.db}.\n"
            )
        else:
            answer = run(request)
        _write_atomically(path.parent, f"{request_id}.answer", asdict(answer))
    finally:
        claimed.unlink(missing_ok=True)


# Per-thread stdout/stderr: the desk captures a command's output without touching what the
# app's own threads print.

_local = threading.local()
_install_lock = threading.Lock()


class _PerThreadStream:
    def __init__(self, real, name: str):
        self._real = real
        self._name = name

    def _target(self):
        return getattr(_local, self._name, None) or self._real

    def write(self, text: str) -> int:
        return self._target().write(text)

    def flush(self) -> None:
        self._target().flush()

    def __getattr__(self, name: str):
        return getattr(self._target(), name)


def _real_err():
    err = sys.stderr
    return err._real if isinstance(err, _PerThreadStream) else err


@contextlib.contextmanager
def captured() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """What this thread prints, caught in two buffers; other threads print as before."""
    with _install_lock:
        for name in ("stdout", "stderr"):
            if not isinstance(getattr(sys, name), _PerThreadStream):
                setattr(sys, name, _PerThreadStream(getattr(sys, name), name))
    out, err = io.StringIO(), io.StringIO()
    _local.stdout, _local.stderr = out, err
    try:
        yield out, err
    finally:
        _local.stdout = _local.stderr = None
