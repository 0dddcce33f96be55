"""The scope macros (in_period, deals_in_scope, ...): today's definitions, one place.

Each `queries/macros/<group>.sql` holds the current definition of its macros as
`create or replace macro`; `apply` runs them every time the warehouse opens, so reading a
macro never means replaying migrations, and a new version of a file reaches existing databases
without a migration. DuckDB checks at creation that what a macro names exists (but expands
calls when a query runs, so replacing a macro changes those calling it): files run in name
order, and a file calls only macros above it or in files sorting before its own.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from dashboard.core import resources

MACROS_DIR = resources.folder("dashboard.queries") / "macros"
_DEFINES = re.compile(r"^\s*create\s+or\s+replace\s+macro\s+(\w+)", re.IGNORECASE | re.MULTILINE)


def files() -> list[Path]:
    """The macro files in the order they apply."""
    return sorted(MACROS_DIR.glob("*.sql"))


def defined_in(path: Path) -> list[str]:
    """The macros a file creates, in file order."""
    return [name.lower() for name in _DEFINES.findall(path.read_text(encoding="utf-8"))]


def in_database(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The database's own macros (not DuckDB's, not a connection's temp ones) -> their kind,
    'macro' or 'table_macro'."""
    rows = con.execute(
        "select distinct function_name, function_type from duckdb_functions()"
        " where database_name = current_database() and schema_name = 'main'"
        " and function_type in ('macro', 'table_macro') and not internal"
    ).fetchall()
    return {name: kind for name, kind in rows}


def apply(con: duckdb.DuckDBPyConnection) -> None:
    """Create or replace every macro of queries/macros, then drop those no file defines any
    more (a macro retired from the files leaves every database too). The caller holds the
    transaction."""
    for path in files():
        con.execute(path.read_text(encoding="utf-8"))
    current = {name for path in files() for name in defined_in(path)}
    for name, kind in in_database(con).items():
        if name not in current:
            # The name comes from the database's own catalog, never from a user.
            con.execute(f'drop macro {"table " if kind == "table_macro" else ""}"{name}"')
