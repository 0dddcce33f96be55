"""Uploads that reach the server: how large the upload box lets a file be, and deleting staged
copies nobody will load (an abandoned page session, a crashed or killed server).

A staged copy is `upload-<pid>-<n>.<ext>` directly in the import folder (files.stage); the
files that back a kept load live in its `loads/` subfolder (kept.py) and are never touched here.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import weakref
from collections.abc import Callable
from pathlib import Path

from dashboard.ingest import files

MAX_UPLOAD_ENV = "CRM_DASHBOARD_MAX_UPLOAD_MB"
# Streamlit keeps every file in the upload box in the server's memory, per session, until it
# is removed, and anyone with a session can send them: 200 MB (Streamlit's own default) takes a
# CRM export of a few hundred thousand deals, while bigger files go through
# `crm-dashboard import`, which reads them from disk within the import limit.
DEFAULT_MAX_UPLOAD_MB = 200
STAGED_AGE_ENV = "CRM_DASHBOARD_STAGED_MAX_HOURS"
# A page session keeps its staged copy while the file sits in the upload box; a day is far
# longer than any import takes, and a copy that old belongs to a session nobody is using.
DEFAULT_STAGED_MAX_HOURS = 24.0
_STAGED = re.compile(r"upload-(\d+)-\d+\.(csv|xlsx|parquet)")


def max_upload_mb() -> int:
    """The upload box's limit in MB: $CRM_DASHBOARD_MAX_UPLOAD_MB (default 200), never above
    the importer's own limit."""
    import_mb = max(1, files.max_import_bytes() // 1024**2)
    return max(1, int(min(_positive(MAX_UPLOAD_ENV, DEFAULT_MAX_UPLOAD_MB), import_mb)))


def staged_max_age_seconds() -> float:
    return _positive(STAGED_AGE_ENV, DEFAULT_STAGED_MAX_HOURS) * 3600


def _positive(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, "").strip() or default)
    except ValueError:
        return default
    return value if value > 0 else default


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def sweep(
    import_dir: Path,
    *,
    starting: bool = False,
    max_age: float | None = None,
    now: float | None = None,
    alive: Callable[[int], bool] = _alive,
) -> list[Path]:
    """Delete stale staged copies in `import_dir`; returns what was deleted.

    Stale: staged by a process that is gone (a crash, a finished command), older than
    `max_age` seconds (default $CRM_DASHBOARD_STAGED_MAX_HOURS: a session nobody uses), or,
    `starting` a server, staged under this very process id by an earlier process."""
    if not import_dir.is_dir():
        return []
    limit = staged_max_age_seconds() if max_age is None else max_age
    clock = time.time() if now is None else now
    deleted = []
    for path in import_dir.iterdir():
        found = _STAGED.fullmatch(path.name)
        if not found or path.is_symlink() or not path.is_file():
            continue
        pid = int(found.group(1))
        try:
            old = clock - path.stat().st_mtime > limit
        except OSError:
            continue
        mine = pid == os.getpid()
        if old or (starting and mine) or (not mine and not alive(pid)):
            path.unlink(missing_ok=True)
            deleted.append(path)
    return deleted


class SessionUploads:
    """The staged copies one page session made: deleted when the session is gone (its state,
    and this object with it, is collected), for a session closed with files still in the box."""

    def __init__(self) -> None:
        self.paths: set[Path] = set()
        self._finalizer = weakref.finalize(self, _delete_all, self.paths)

    def track(self, path: Path) -> None:
        self.paths.add(Path(path))

    def close(self) -> None:
        self._finalizer()


def _delete_all(paths: set[Path]) -> None:
    for path in list(paths):
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
