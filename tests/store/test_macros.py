"""The scope macros come from queries/macros, on a new database and on one made before.

tests/store/previous_migrations/ holds the migration files as released up to schema version 8
(commit daac424), when the macros were created and replaced by migrations 0002 and 0004-0008.
A database they made must open with exactly today's macros, the same tables as a new one, and
without the macro those migrations dropped again (closed_deals_in_scope, 0005-0007).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dashboard.store import macros, summaries, warehouse
from tests.conftest import frame

PREVIOUS = Path(__file__).parent / "previous_migrations"

# The database's own macros: name, kind, parameters, body as DuckDB holds it.
DEFINITIONS = """
    select function_name, function_type, parameters, macro_definition
    from duckdb_functions()
    where database_name = current_database() and schema_name = 'main'
      and function_type in ('macro', 'table_macro') and not internal
    order by all
"""
COLUMNS = """
    select table_name, column_name, data_type, is_nullable, column_default
    from information_schema.columns where table_schema = 'main'
    order by all
"""


def definitions(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(DEFINITIONS).fetchall()


def from_the_files() -> list[tuple]:
    """The definitions the macro files give when run as they are, one after the other, on a
    database holding only the tables."""
    con = duckdb.connect()
    for migration in warehouse.available_migrations():
        con.execute(migration.sql)
    for path in macros.files():
        con.execute(path.read_text(encoding="utf-8"))
    return definitions(con)


def test_every_macro_file_is_applied_on_a_fresh_database(con):
    named = {}
    for path in macros.files():
        assert macros.defined_in(path), f"{path.name} defines no macro"
        named.update(dict.fromkeys(macros.defined_in(path), path.name))
    assert set(macros.in_database(con)) == set(named)
    assert definitions(con) == from_the_files()
    assert {"in_period", "deals_in_scope", "deal_row_in_scope_copies"} <= set(named)


def previous_layout(path: Path, version: int) -> None:
    """A database file as the product made it at `version`, with an account and a deal.

    At version 8 the summaries had been built (they created summary_sources themselves);
    earlier, as here at 6, a file may have none of them yet."""
    con = duckdb.connect(str(path))
    con.execute(
        "create table schema_migrations "
        "(version integer primary key, name varchar not null, applied_at timestamp not null)"
    )
    for file in sorted(PREVIOUS.glob("*.sql"))[:version]:
        number, _, name = file.stem.partition("_")
        con.execute(file.read_text(encoding="utf-8"))
        con.execute(
            "insert into schema_migrations values ($v, $n, now())", {"v": int(number), "n": name}
        )
    con.execute("insert into loads (load_id, source, loaded_at) values (1, 'test', now())")
    con.execute("insert into accounts (account_id, segment, load_id) values ('A1', 'SMB', 1)")
    con.execute(
        "insert into deals (deal_id, account_id, status, load_id) values ('D1', 'A1', 'won', 1)"
    )
    if version == 8:
        con.execute(
            "create table summary_sources (name varchar primary key, sql_hash varchar not null)"
        )
        # The view_ summaries include page queries, which call today's macros
        # (view_health_accounts: the 4-argument accounts_in_scope; view_funnel_time_in_stage:
        # the row scope with teams): absent from such a file, they are built when it opens.
        summaries.rebuild(con, [n for n in summaries.available() if not n.startswith("view_")])
    con.close()


@pytest.mark.parametrize("version", [8, 6])
def test_a_database_made_by_the_migrations_up_to_8_opens_with_todays_macros(tmp_path, version):
    path = tmp_path / "old.duckdb"
    previous_layout(path, version)
    before = duckdb.connect(str(path))
    had = {name for name, *_ in definitions(before)}
    assert ("closed_deals_in_scope" in had) == (version == 6)  # dropped again by 0007
    before.close()

    con = warehouse.connect(path)
    assert definitions(con) == from_the_files()
    recorded = con.execute("select version from schema_migrations order by 1").fetchall()
    versions = [v for (v,) in recorded]
    later = [m.version for m in warehouse.available_migrations() if m.version > 8]
    assert later and versions == [*range(1, version + 1), *later]
    # Today's macros at work on the old rows: SMB holds D1, Enterprise nothing.
    smb = "select deal_id from deals_in_scope(['SMB'], null, null, null)"
    assert con.execute(smb).fetchall() == [("D1",)]
    enterprise = "select count(*) from deals_in_scope(['Enterprise'], null, null, null)"
    assert con.execute(enterprise).fetchone() == (0,)
    recorded = dict(con.execute("select name, sql_hash from summary_sources").fetchall())
    assert recorded == {name: summaries.fingerprint(name) for name in summaries.available()}
    upgraded = con.execute(COLUMNS).fetchall()
    con.close()

    fresh = warehouse.connect(tmp_path / "new.duckdb")
    assert fresh.execute(COLUMNS).fetchall() == upgraded  # the same tables, columns, defaults
    fresh.close()


def test_a_macro_no_file_defines_any_more_leaves_the_database(db_path):
    con = warehouse.connect(db_path)
    con.execute("create macro retired_scope(x) as x")
    con.execute("create macro retired_rows() as table select 1 as n")
    con.close()
    con = warehouse.connect(db_path)
    assert set(macros.in_database(con)) == {n for p in macros.files() for n in macros.defined_in(p)}
    con.close()


def test_a_changed_macro_file_reaches_an_existing_database(db_path, tmp_path, monkeypatch):
    """No migration needed: the files apply on every open."""
    warehouse.connect(db_path).close()
    folder = tmp_path / "macros"
    folder.mkdir()
    for path in macros.files():
        text = path.read_text(encoding="utf-8")
        if path.name == "period.sql":  # the end date becomes exclusive
            text = text.replace("+ interval 1 day", "")
        (folder / path.name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(macros, "MACROS_DIR", folder)
    con = warehouse.connect(db_path)
    warehouse.load_frames(
        con,
        {"deals": frame("deal_id status created_at", [("D1", "open", "2025-01-31 12:00")])},
        source="test",
    )
    count = (
        "select count(*) from deals"
        " where in_period(created_at, date '2025-01-01', date '2025-01-31')"
    )
    assert con.execute(count).fetchone() == (0,)
    con.close()
    monkeypatch.undo()
    con = warehouse.connect(db_path)
    assert con.execute(count).fetchone() == (1,)
    con.close()
