"""Download file names that say what a CSV holds: page, table, filters and period.

`funnel-deals-that-went-no-further_segment-SMB_2026-01-01_2026-03-31.csv`: a file saved from a
shared link still says where it came from, and two downloads with different filters never
overwrite each other.
"""

from __future__ import annotations

import re

from dashboard.core.filters import Filters

_UNSAFE = re.compile(r"[^A-Za-z0-9.]+")
MAX_PART = 60  # a long list of owners must not make a name the file system refuses


def _slug(text: str) -> str:
    """Letters, digits and dots; anything else becomes one hyphen (file-system safe)."""
    return _UNSAFE.sub("-", text).strip("-")[:MAX_PART].strip("-")


def _filter_parts(filters: Filters) -> list[str]:
    parts = []
    for word, values in (
        ("segment", filters.segments),
        ("region", filters.regions),
        ("owner", filters.owners),
        ("team", filters.teams),
    ):
        if values:
            parts.append(f"{word}-" + "+".join(_slug(v) for v in values)[:MAX_PART])
    return parts


def _period_part(filters: Filters) -> list[str]:
    if not filters.has_period:
        return ["all-time"]
    start = filters.start_date.isoformat() if filters.start_date else "start"
    end = filters.end_date.isoformat() if filters.end_date else "end"
    return [start, end]


def csv_name(page: str, table: str, filters: Filters, suffix: str = ".csv") -> str:
    """`<page>-<table>_<filters>_<from>_<to>.csv`, every part file-system safe."""
    head = "-".join(p for p in (_slug(page).lower(), _slug(table).lower()) if p)
    return "_".join([head or "table", *_filter_parts(filters), *_period_part(filters)]) + suffix


def pdf_name(page: str, filters: Filters) -> str:
    """`<page>_<filters>_<from>_<to>.pdf`: a page's PDF named as its CSVs are."""
    return csv_name(page, "", filters, suffix=".pdf")
