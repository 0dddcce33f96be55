"""How far an imported file may expand, and how much of it a preview may send: every cap in one
place, each overridable by an environment variable (SECURITY.md lists them).

The compressed size is capped in files.stage (CRM_DASHBOARD_MAX_IMPORT_MB); these caps bound
what the bytes turn into (a 200 KB workbook can hold a 200 MB string), checked from metadata
before any data is read (ingest/expansion.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    env: str
    default: int
    what: str  # words for a refusal: "... is over the limit of <value> <what>"

    @property
    def value(self) -> int:
        """The cap now: the environment's value when it is a positive number, else the default."""
        try:
            given = float(os.environ.get(self.env, ""))
        except ValueError:
            return self.default
        return int(given) if given > 0 else self.default


MB = 1024 * 1024

# Workbooks (.xlsx/.xlsm are zip archives of XML parts).
EXPANDED_MB = Limit("CRM_DASHBOARD_MAX_EXPANDED_MB", 1024, "MB expanded")
ZIP_RATIO = Limit("CRM_DASHBOARD_MAX_ZIP_RATIO", 100, "times its compressed size")
ZIP_MEMBERS = Limit("CRM_DASHBOARD_MAX_ZIP_MEMBERS", 1000, "parts")
SHARED_STRINGS_MB = Limit("CRM_DASHBOARD_MAX_SHARED_STRINGS_MB", 256, "MB of shared text")
SHARED_STRINGS = Limit("CRM_DASHBOARD_MAX_SHARED_STRINGS", 2_000_000, "distinct texts")
CELL_CHARS = Limit("CRM_DASHBOARD_MAX_CELL_CHARS", 1_000_000, "characters in one cell")
# Ratio is only meaningful on parts big enough to matter (a tiny part compresses well).
RATIO_FLOOR_MB = 10

# Any table-shaped file (workbook sheet, Parquet).
ROWS = Limit("CRM_DASHBOARD_MAX_ROWS", 10_000_000, "rows")
COLUMNS = Limit("CRM_DASHBOARD_MAX_COLUMNS", 2_000, "columns")
CELLS = Limit("CRM_DASHBOARD_MAX_CELLS", 100_000_000, "cells (rows x columns)")
ROW_GROUP_MB = Limit("CRM_DASHBOARD_MAX_ROW_GROUP_MB", 512, "MB in one row group")

# What the import page sends to the browser.
PREVIEW_CELL_CHARS = Limit("CRM_DASHBOARD_PREVIEW_CELL_CHARS", 200, "characters per cell")
PREVIEW_KB = Limit("CRM_DASHBOARD_PREVIEW_KB", 512, "KB per table")

ALL = (
    EXPANDED_MB,
    ZIP_RATIO,
    ZIP_MEMBERS,
    SHARED_STRINGS_MB,
    SHARED_STRINGS,
    CELL_CHARS,
    ROWS,
    COLUMNS,
    CELLS,
    ROW_GROUP_MB,
    PREVIEW_CELL_CHARS,
    PREVIEW_KB,
)
