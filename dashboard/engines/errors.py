"""The engine's one error: a configuration a user can fix, shown as a sentence."""

from __future__ import annotations

from dashboard.store.warehouse import WarehouseError


class EngineError(WarehouseError):
    """A configuration a user can fix (unknown engine, missing export, pyspark missing)."""
