"""The warehouse's files are the app user's alone (issue 21, point 10): the data folder is
created 0700, the database file is 0600 and the import folder 0700, whatever the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from dashboard.store import warehouse


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """The common default (0644 files, 0755 folders), under which the issue saw 0644."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_database_is_private(tmp_path, open_umask):
    path = tmp_path / "new" / "data" / "warehouse.duckdb"
    warehouse.connect(path).close()
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600
    assert mode(warehouse.import_dir(path)) == 0o700


def test_an_existing_world_readable_file_is_tightened(tmp_path, open_umask):
    path = tmp_path / "warehouse.duckdb"
    warehouse.connect(path).close()
    path.chmod(0o644)  # as an older version left it
    warehouse.connect(path).close()
    assert mode(path) == 0o600


def test_the_apps_own_data_folder_is_tightened_a_chosen_one_is_not(
    tmp_path, open_umask, monkeypatch
):
    monkeypatch.delenv(warehouse.DB_ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    own = tmp_path / "xdg" / "crm-dashboard"
    own.mkdir(parents=True, mode=0o755)
    own.chmod(0o755)
    warehouse.connect(warehouse.default_db_path()).close()
    assert mode(own) == 0o700
    shared = tmp_path / "shared"  # a folder the user chose with --db: maybe /tmp or $HOME
    shared.mkdir()
    shared.chmod(0o755)
    warehouse.connect(shared / "warehouse.duckdb").close()
    assert mode(shared) == 0o755
    assert mode(shared / "warehouse.duckdb") == 0o600
