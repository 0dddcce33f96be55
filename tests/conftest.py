"""Shared fixtures: a fresh warehouse per test, one sample warehouse per run, hand-made rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st

from dashboard.core import resources
from dashboard.store import sample, warehouse

# What the package ships, found as an installed wheel finds it.
APP = str(resources.folder("dashboard.ui") / "app.py")
PAGES = resources.folder("dashboard.pages")
EXPORTS = resources.folder("dashboard.sample_data") / "exports"


def page(name: str) -> str:
    """A page's path for AppTest.switch_page (absolute: the entry script is in dashboard/ui)."""
    return str(PAGES / name)


# The sample is generated once per run at this scale and shared read-only.
SAMPLE_SCALE = 1.0


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """An empty warehouse file as `warehouse.connect` creates it (every migration applied, the
    summaries built), made once per run (once per xdist worker)."""
    path = tmp_path_factory.mktemp("template") / "warehouse.duckdb"
    warehouse.connect(path).close()
    return path


@pytest.fixture
def con(db_path: Path, migrated_template: Path):
    """A fresh, empty warehouse of the test's own: a copy of the migrated template, opened with
    `warehouse.connect` (hardened, migrations checked), which saves running every migration
    again for each of the ~400 tests that take it. Tests about creating a new file (first
    start, migrations) open `db_path` themselves."""
    shutil.copyfile(migrated_template, db_path)
    connection = warehouse.connect(db_path)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "warehouse.duckdb"
    connection = warehouse.connect(path)
    sample.load_sample(connection, scale=SAMPLE_SCALE)
    connection.close()
    return path


@pytest.fixture(scope="session")
def sample_con(sample_db: Path):
    connection = warehouse.connect(sample_db)
    yield connection
    connection.close()


@pytest.fixture
def app_db(db_path: Path, monkeypatch):
    """The warehouse file the app under AppTest opens, with Streamlit's caches (shared by every
    AppTest in the process) cleared before and after, and its connection closed after."""
    st.cache_data.clear()
    st.cache_resource.clear()
    monkeypatch.setenv("CRM_DASHBOARD_DB", str(db_path))
    yield db_path
    st.cache_data.clear()
    st.cache_resource.clear()
    warehouse.SharedConnection.close_all()


def loaded(path: Path, load) -> Path:
    """Open the file, call load(connection), close it; returns the path."""
    connection = warehouse.connect(path)
    load(connection)
    connection.close()
    return path


def frame(columns: str, rows: list[tuple]) -> pd.DataFrame:
    """A small frame from 'a b c' and row tuples; '…_at' columns become timestamps."""
    names = columns.split()
    out = pd.DataFrame(rows, columns=names, dtype=object)
    for name in names:
        if name.endswith("_at"):
            out[name] = pd.to_datetime(out[name], format="ISO8601")
        elif name in ("amount", "score"):
            out[name] = pd.to_numeric(out[name])
    return out
