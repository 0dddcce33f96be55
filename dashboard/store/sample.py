"""The embedded sample: generated deterministically and recorded as a load of its own."""

from __future__ import annotations

import duckdb

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
    loads = warehouse.active_loads(con)
    return not loads.empty and bool(loads["is_sample"].all())


def sample_notice(
    con: duckdb.DuckDBPyConnection, _filters: object = None, can_import: bool = True
) -> str | None:
    """What the banner says when only the sample is on screen, with its real size; the way
    out depends on whether this person may import."""
    if not showing_sample_only(con):
        return None
    accounts = warehouse.scalar(con, "select count(*) from accounts")
    deals = warehouse.scalar(con, "select count(*) from deals")
    way_out = (
        "To see your own, bring your CRM exports in on the **Import** page."
        if can_import
        else "Your own data appears here once an analyst imports your CRM exports."
    )
    return (
        "You are looking at **sample data**: a fictional B2B software company over three "
        f"years ({accounts:,} accounts, {deals:,} deals). {way_out}"
    )
