"""Page queries served from per-load summaries: a page's default view worked out once per load.

A summary file `queries/summaries/served_*.sql` holds header lines only: `-- Serve <query>`
names the query file it serves, and `-- Bind $name = SQL` lines the parameter values it is
worked out for (SQL reading other summaries: the last 12 months of data, say); every other
parameter of the query is null. store.summaries builds its table from the query's full text
(its order kept) with those values bound, plus a column `__bound_<name>` holding each value.

`queries.run` asks `rows` first: when a call's bound parameters equal the stored values and its
other parameters are null, the stored rows are the query's rows for that call (the same SQL on
the same data, rebuilt in the load's transaction), read with one statement so a reader never
mixes two loads. No stored row for those values (another period, a filter, a grant, a result
of no row) means the query runs, as it would without the summary. Only on the embedded DuckDB:
another engine runs every query itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property

import duckdb
import pandas as pd

from dashboard.core import resources

SUMMARIES_DIR = resources.folder("dashboard.queries") / "summaries"
PREFIX = "served_"
BIND = re.compile(r"^-- Bind \$([a-z_][a-z0-9_]*) = (.+)$", re.MULTILINE)
_SERVE = re.compile(r"^-- Serve ([a-z][a-z0-9_]*)\s*$", re.MULTILINE)
# A bound value written as a plain literal: `select 'month'`, `select 90`.
_LITERAL = re.compile(r"^select\s+(?:'((?:[^']|'')*)'|(-?\d+))\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Served:
    """One served_* summary: the query it serves and the parameters it binds (name -> SQL)."""

    summary: str  # file stem, table summary_<summary>
    query: str
    binds: tuple[tuple[str, str], ...]

    @property
    def bound(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.binds)

    @cached_property  # read on every call a summary could answer: parsed once
    def literals(self) -> dict[str, object]:
        """The parameters bound to a plain literal, with its value: a call with another value
        cannot match a stored row, so it needs no statement to find that out."""
        found = {name: _LITERAL.match(sql.strip()) for name, sql in self.binds}
        return {
            name: int(match.group(2)) if match.group(2) else match.group(1).replace("''", "'")
            for name, match in found.items()
            if match
        }


def column(parameter: str) -> str:
    return f"__bound_{parameter}"


def parse(summary: str, sql: str) -> Served | None:
    """The Serve and Bind lines of a summary file; None for a summary that serves no query."""
    found = _SERVE.search(sql)
    if not found:
        return None
    return Served(summary, found.group(1), tuple(BIND.findall(sql)))


@cache
def by_query() -> dict[str, tuple[Served, ...]]:
    """query name -> the summaries serving it (a query may be served for several value sets:
    this period and the one before)."""
    out: dict[str, list[Served]] = {}
    for path in sorted(SUMMARIES_DIR.glob(f"{PREFIX}*.sql")):
        served = parse(path.stem, path.read_text(encoding="utf-8"))
        if served is not None:
            out.setdefault(served.query, []).append(served)
    return {name: tuple(found) for name, found in out.items()}


def read_sql(served: Served) -> str:
    """The stored rows whose bound values are the call's `$name` parameters."""
    table = f'"summary_{served.summary}"'  # names come from this repository's files
    if not served.bound:
        return f"select * from {table}"  # noqa: S608
    hidden = ", ".join(f'"{column(p)}"' for p in served.bound)
    where = " and ".join(f'"{column(p)}" is not distinct from ${p}' for p in served.bound)
    return f"select * exclude ({hidden}) from {table} where {where}"  # noqa: S608


def rows(
    cur: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, object]
) -> pd.DataFrame | None:
    """The query's rows for these parameters from a summary that holds them, else None."""
    if not isinstance(cur, duckdb.DuckDBPyConnection):
        return None
    for served in by_query().get(name, ()):
        bound = served.bound
        if any(value is not None for key, value in params.items() if key not in bound):
            continue
        if any(params.get(name) != value for name, value in served.literals.items()):
            continue
        try:
            frame = cur.execute(read_sql(served), {p: params[p] for p in bound}).df()
        except duckdb.CatalogException:  # a file opened without its summaries built
            return None
        if len(frame):
            return frame
    return None
