"""What every page benchmark shares: options, a sample warehouse, and cold/warm timing.

Timing stays out of the test suite on purpose; these scripts print figures for notes.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
from dashboard.filters import Filters
from dashboard.sidebar import preset_range

from dashboard import coverage, summaries, warehouse
from sample_data.generate import generate


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def options(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--scale", type=float, default=1.0, help="sample size (1 = 20k deals)")
    parser.add_argument("--runs", type=int, default=5, help="warm runs for the median")
    return parser.parse_args()


@contextmanager
def sample_warehouse(scale: float) -> Iterator[tuple[duckdb.DuckDBPyConnection, dict, float]]:
    """A throwaway warehouse holding the sample: (connection, frames, load seconds)."""
    with tempfile.TemporaryDirectory() as tmp:
        con = warehouse.connect(Path(tmp) / "bench.duckdb")
        frames: dict[str, pd.DataFrame] = generate(scale=scale)
        load_s, _ = timed(
            lambda: warehouse.load_frames(con, frames, source="sample", is_sample=True)
        )
        yield con, frames, load_s
        con.close()


def last_12_months(con: duckdb.DuckDBPyConnection, **scope: tuple[str, ...]) -> Filters:
    """The sidebar's default period on this data, with optional segments/regions/owners."""
    _, as_of = coverage.data_span(con)
    return Filters(*preset_range("Last 12 months", as_of), **scope)


def time_summary(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """How long one per-load summary takes to rebuild, and its size."""
    # The SQL is a file of this repository, never user input.
    sql = (summaries.SUMMARIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
    seconds, _ = timed(lambda: con.execute(f'create or replace temp table "b_{name}" as {sql}'))
    rows = warehouse.scalar(con, f'select count(*) from "b_{name}"')  # noqa: S608
    print(f"summary {name}: {rows:,} rows, rebuilt in {seconds * 1000:.0f} ms")


def time_views(
    con: duckdb.DuckDBPyConnection,
    what: str,
    views: dict[str, Callable[[duckdb.DuckDBPyConnection], object]],
    runs: int,
) -> None:
    """For each view: the first run on a new cursor, then the median of `runs` more."""
    for label, run in views.items():
        cur = con.cursor()
        cold, _ = timed(lambda r=run, c=cur: r(c))
        warm = [timed(lambda r=run, c=cur: r(c))[0] for _ in range(runs)]
        print(
            f"{what}, {label}: first {cold * 1000:.0f} ms, "
            f"median of {runs} {statistics.median(warm) * 1000:.0f} ms"
        )
