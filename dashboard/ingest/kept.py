"""Each committed load's staged file, kept beside the warehouse so the load can be remapped
without uploading the file again (crm-dashboard remap, the import page's load history).

The copy sits in the import folder (the only folder DuckDB may read) under
`loads/<load_id>-<checksum>.<ext>`: the staged form of the upload (UTF-8 CSV, xlsx, parquet).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from dashboard.ingest.files import StagedFile

SUBFOLDER = "loads"


def folder(import_dir: Path) -> Path:
    return import_dir / SUBFOLDER


def keep(staged: StagedFile, import_dir: Path, load_id: int) -> Path | None:
    """Link (or copy) the staged file as load `load_id`'s; None when it cannot be kept (the
    load stands, it just cannot be remapped)."""
    target = folder(import_dir) / f"{load_id}-{staged.checksum[:16]}{staged.path.suffix}"
    try:
        target.parent.mkdir(mode=0o700, exist_ok=True)
        try:
            os.link(staged.path, target)
        except OSError:
            shutil.copyfile(staged.path, target)
    except OSError:
        return None
    return target


def find(import_dir: Path, load_id: int) -> Path | None:
    """Load `load_id`'s kept file, if it is still there."""
    found = sorted(folder(import_dir).glob(f"{int(load_id)}-*"))
    return found[0] if found else None


def forget(import_dir: Path, load_id: int) -> None:
    """Delete an undone load's file: it can never be remapped, and uploads hold personal data."""
    for path in folder(import_dir).glob(f"{int(load_id)}-*"):
        path.unlink(missing_ok=True)
