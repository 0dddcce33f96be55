"""Shared fixtures: a fresh warehouse per test, one sample warehouse per run, hand-made rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dashboard import sample, warehouse

# The sample is generated once per run at this scale and shared read-only.
SAMPLE_SCALE = 1.0


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def con(db_path: Path):
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
