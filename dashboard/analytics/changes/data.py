"""What changed since a load (product.md): the one entry point is changes_since()."""

from __future__ import annotations

import duckdb

from dashboard.core.filters import EVERYTHING, Filters, Scope


class ChangesError(ValueError):
    """A request a person can correct (unknown load, no loads yet): one sentence."""


def changes_since(
    con: duckdb.DuckDBPyConnection,
    since_load: int | None = None,
    *,
    filters: Filters | None = None,
    scope: Scope = EVERYTHING,
) -> dict[str, object]:
    """The changes of load `since_load` and every load after it (None = the latest load or
    undo), compared with the data version before it, within `filters` and `scope`."""
    _ = (con, filters, scope)
    return {
        "since_load": since_load,
        "loads": [],
        "is_undo": False,
        "files": [],
        "kpis_before": None,
        "kpis_after": None,
        "deals_added": 0,
        "deals_updated": 0,
        "deals_removed": 0,
        "stage_moves": [],
        "status_changes": {"won": 0, "lost": 0, "reopened": 0},
        "new_competitors": [],
        "biggest_movers": [],
    }
