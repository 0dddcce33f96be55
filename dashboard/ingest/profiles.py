"""Saved mappings: a name, the header signature it fits, and the mapping as JSON."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.mapping import Mapping, header_signature

MAX_NAME = 100


def save(
    con: duckdb.DuckDBPyConnection,
    name: str,
    headers: list[str],
    mapping: Mapping,
    vendor: str | None,
) -> None:
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME or "\x00" in name:
        raise ImportProblem(f"A profile name needs 1 to {MAX_NAME} characters.")
    con.execute(
        "insert or replace into import_profiles values ($name, $signature, $table, $vendor,"
        " $mapping, $created_at)",
        {
            "name": name,
            "signature": header_signature(headers),
            "table": mapping.table,
            "vendor": vendor,
            "mapping": mapping.to_json(),
            "created_at": datetime.now(),
        },
    )


def for_headers(con: duckdb.DuckDBPyConnection, headers: list[str]) -> tuple[str, str] | None:
    """(name, mapping JSON) of the newest profile saved for files with these columns."""
    rows = con.execute(
        "select profile_name, mapping_json from import_profiles where header_signature = $s"
        " order by created_at desc limit 1",
        {"s": header_signature(headers)},
    ).fetchall()
    return (rows[0][0], rows[0][1]) if rows else None


def named(con: duckdb.DuckDBPyConnection, name: str) -> str:
    rows = con.execute(
        "select mapping_json from import_profiles where profile_name = $n", {"n": name}
    ).fetchall()
    if not rows:
        known = ", ".join(listing(con)["profile_name"]) or "none yet"
        raise ImportProblem(f"There is no import profile named {name!r} (saved: {known}).")
    return rows[0][0]


def listing(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "select profile_name, target_table, vendor, created_at"
        " from import_profiles order by profile_name"
    ).df()
