"""Fixtures of the store's tests."""

import shutil

import pytest

from dashboard.store import warehouse


@pytest.fixture
def sample_copy(sample_db, tmp_path):
    """A writable copy of the session's sample warehouse, opened as the app opens it."""
    path = tmp_path / "w.duckdb"
    shutil.copyfile(sample_db, path)
    con = warehouse.connect(path)
    yield con
    con.close()
