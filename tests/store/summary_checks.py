"""Whether stored summary tables equal a fresh whole build of their SQL."""

from __future__ import annotations

from collections.abc import Iterable

from dashboard.store import summaries


def differences(con, names: Iterable[str] | None = None) -> dict[str, tuple[int, int]]:
    """Per summary, rows only in the stored table and rows only in a fresh build of its SQL
    (EXCEPT ALL both ways, so a row's multiplicity counts)."""
    out = {}
    for name in summaries.available() if names is None else names:
        select = summaries.select_text(name)
        con.execute(f"create or replace temp table fresh as {select}")
        stored, fresh = f'"summary_{name}"', "temp.main.fresh"
        only_stored = _count(con, stored, fresh)
        only_fresh = _count(con, fresh, stored)
        if only_stored or only_fresh:
            out[name] = (only_stored, only_fresh)
    con.execute("drop table if exists temp.main.fresh")
    return out


def _count(con, left: str, right: str) -> int:
    # Both names come from summaries.available() and this module, never from input.
    sql = f"select count(*) from (select * from {left} except all select * from {right})"  # noqa: S608
    return con.execute(sql).fetchall()[0][0]
