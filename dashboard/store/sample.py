"""The embedded sample: generated deterministically and recorded as a load of its own."""

from __future__ import annotations

import duckdb

from dashboard.core import queries
from dashboard.sample_data.generate import generate
from dashboard.store import warehouse

DEFAULT_SEED = 7


class SampleAlreadyLoaded(warehouse.WarehouseError):
    pass


def load_sample(
    con: duckdb.DuckDBPyConnection, scale: float = 1.0, seed: int = DEFAULT_SEED
) -> int:
    """Generate the sample at `scale` and load it as one transaction; returns the load id."""
    existing = warehouse.scalar(
        con, "select min(load_id) from loads where is_sample and undone_at is null"
    )
    if existing is not None:
        raise SampleAlreadyLoaded(
            f"This database already holds the sample (load {existing}); "
            "use another --db file for a second copy."
        )
    frames = generate(scale=scale, seed=seed)
    return warehouse.load_frames(
        con,
        frames,
        source="sample",
        file_name=f"sample scale={scale:g} seed={seed}",
        is_sample=True,
    )


def ensure_sample(con: duckdb.DuckDBPyConnection) -> int | None:
    """On first start with an empty database, load the sample; returns its load id if it did."""
    if not warehouse.is_empty(con):
        return None
    return load_sample(con)


def showing_sample_only(con: duckdb.DuckDBPyConnection) -> bool:
    """True when every load in effect is the sample: the pages must say so."""
    return bool(_sample_only(con)["is_sample_only"])


def _sample_only(con: duckdb.DuckDBPyConnection) -> dict:
    """queries/sample_only.sql's row: one small query before every page."""
    return queries.run_one(con, "sample_only", {})


def sample_notice(
    con: duckdb.DuckDBPyConnection, _filters: object = None, can_import: bool = True
) -> str | None:
    """What the banner says when only the sample is on screen, with its real size; the way
    out depends on whether this person may import."""
    row = _sample_only(con)
    if not row["is_sample_only"]:
        return None
    accounts, deals = row["count_accounts"], row["count_deals"]
    way_out = (
        "To see your own, bring your CRM exports in on the **Import** page."
        if can_import
        else "Your own data appears here once an analyst imports your CRM exports."
    )
    return (
        "You are looking at **sample data**: a fictional B2B software company over three "
        f"years ({accounts:,} accounts, {deals:,} deals). {way_out}"
    )
