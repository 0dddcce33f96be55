"""The digests table: what each digest covered, for "what changed since the previous digest"
and for `crm-dashboard digest --if-changed`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from dashboard.store import warehouse


@dataclass(frozen=True)
class Previous:
    """The newest digest of a scope."""

    digest_id: int
    data_version: int
    last_load_id: int | None
    created_at: datetime


def last_load_id(con: duckdb.DuckDBPyConnection) -> int | None:
    """The newest load in effect (not undone)."""
    value = warehouse.scalar(con, "select max(load_id) from loads where undone_at is null")
    return None if value is None else int(value)


def previous(con: duckdb.DuckDBPyConnection, scope_key: str) -> Previous | None:
    row = con.execute(
        "select digest_id, data_version, last_load_id, created_at from digests "
        "where scope_key = $key order by digest_id desc limit 1",
        {"key": scope_key},
    ).fetchone()
    return Previous(*row) if row else None


def record(
    con: duckdb.DuckDBPyConnection,
    scope_key: str,
    period: tuple[date | None, date | None],
    out_format: str,
    user_name: str | None,
) -> int:
    """Record a digest just written; returns its id."""
    with warehouse.transaction(con):
        digest_id = int(
            warehouse.scalar(con, "select coalesce(max(digest_id), 0) + 1 from digests")
        )
        con.execute(
            "insert into digests values ($id, $key, $version, $load, $start, $end, $format, "
            "$user, $at)",
            {
                "id": digest_id,
                "key": scope_key,
                "version": warehouse.data_version(con),
                "load": last_load_id(con),
                "start": period[0],
                "end": period[1],
                "format": out_format,
                "user": user_name,
                "at": datetime.now().replace(microsecond=0),  # local time, as loads.loaded_at
            },
        )
    return digest_id
