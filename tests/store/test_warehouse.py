"""The warehouse: migrations, atomic loads, data version, hardening."""

import duckdb
import pandas as pd
import pytest

from dashboard.store import warehouse
from tests.conftest import frame


def test_new_database_has_every_canonical_table_and_the_latest_schema(db_path):
    con = warehouse.connect(db_path)  # a new file, not the `con` fixture's copy of one
    tables = set(con.execute("select table_name from information_schema.tables").df()["table_name"])
    assert set(warehouse.CANONICAL_TABLES) | {"loads", "warehouse_state"} <= tables
    for table in warehouse.CANONICAL_TABLES:
        assert "load_id" in warehouse.table_columns(con, table)
    assert warehouse.schema_version(con) == warehouse.available_migrations()[-1].version
    con.close()


def test_migrations_run_once(db_path):
    first = warehouse.connect(db_path)
    first.close()
    again = warehouse.connect(db_path)
    assert warehouse.migrate(again) == []
    versions = again.execute("select version from schema_migrations order by 1").fetchall()
    assert [v for (v,) in versions] == [m.version for m in warehouse.available_migrations()]


def test_a_new_migration_applies_to_an_existing_file(db_path, monkeypatch, tmp_path):
    warehouse.connect(db_path).close()
    extra = tmp_path / "migrations"
    extra.mkdir()
    for m in warehouse.available_migrations():
        (extra / f"{m.version:04d}_{m.name}.sql").write_text(m.sql)
    (extra / "9999_add_note.sql").write_text("alter table accounts add column note varchar;")
    monkeypatch.setattr(warehouse, "MIGRATIONS_DIR", extra)
    con = warehouse.connect(db_path)
    assert "note" in warehouse.table_columns(con, "accounts")
    assert warehouse.schema_version(con) == 9999


def test_a_migration_numbered_below_the_latest_applied_still_applies(
    db_path, monkeypatch, tmp_path
):
    """A file made by a build that had migration 9999 but not 9998 (two branches each adding
    one) gets 9998 when it arrives: pending means not recorded, not merely above the highest."""
    extra = tmp_path / "migrations"
    extra.mkdir()
    for m in warehouse.available_migrations():
        (extra / f"{m.version:04d}_{m.name}.sql").write_text(m.sql)
    (extra / "9999_add_note.sql").write_text("alter table accounts add column note varchar;")
    monkeypatch.setattr(warehouse, "MIGRATIONS_DIR", extra)
    warehouse.connect(db_path).close()
    (extra / "9998_add_tag.sql").write_text("alter table accounts add column tag varchar;")
    con = warehouse.connect(db_path)
    assert "tag" in warehouse.table_columns(con, "accounts")
    assert warehouse.migrate(con) == []


def test_load_is_recorded_and_moves_the_data_version(con):
    before = warehouse.data_version(con)
    load_id = warehouse.load_frames(
        con,
        {"accounts": frame("account_id segment", [("A1", "SMB"), ("A2", "Enterprise")])},
        source="test",
        file_name="a.csv",
    )
    assert warehouse.data_version(con) == before + 1
    loads = warehouse.active_loads(con)
    assert loads.loc[0, "load_id"] == load_id and loads.loc[0, "rows_loaded"] == 2
    assert con.execute(
        "select count(*) from accounts where load_id = $id", {"id": load_id}
    ).fetchall() == [(2,)]


def test_a_failing_load_leaves_everything_as_it_was(con):
    warehouse.load_frames(con, {"accounts": frame("account_id", [("A1",)])}, source="test")
    version = warehouse.data_version(con)
    bad_deals = frame("deal_id status", [("D1", "won"), ("D2", "not-a-status")])
    with pytest.raises(duckdb.ConstraintException):
        warehouse.load_frames(
            con, {"accounts": frame("account_id", [("A2",)]), "deals": bad_deals}, source="test"
        )
    assert con.execute("select account_id from accounts").fetchall() == [("A1",)]
    assert con.execute("select count(*) from deals").fetchall() == [(0,)]
    assert warehouse.data_version(con) == version
    assert len(warehouse.active_loads(con)) == 1


def test_each_load_stores_an_account_rows_together(con):
    """warehouse.CLUSTER_KEYS: a load's activities are stored sorted by account (rowid order),
    so an account's drill-down reads its own row groups only; rows without the column (a deals
    file with no account) still load."""
    rows = [(f"T{i}", acc) for i, acc in enumerate(["A3", "A1", None, "A2", "A1", "A3"])]
    warehouse.load_frames(con, {"activities": frame("activity_id account_id", rows)}, source="t")
    stored = con.execute("select account_id from activities order by rowid").fetchall()
    assert [r[0] for r in stored] == ["A1", "A1", "A2", "A3", "A3", None]
    later = [("T9", "A0"), ("T8", "A9")]  # a second load: sorted within itself, after the first
    warehouse.load_frames(con, {"activities": frame("activity_id account_id", later)}, source="t")
    stored = con.execute("select account_id from activities order by rowid").fetchall()
    assert [r[0] for r in stored][-2:] == ["A0", "A9"]
    deals = frame("deal_id status", [("D2", "open"), ("D1", "won")])
    warehouse.load_frames(con, {"deals": deals}, source="t")
    assert con.execute("select count(*) from deals").fetchall() == [(2,)]


def test_unknown_tables_and_columns_are_refused(con):
    with pytest.raises(warehouse.WarehouseError, match="not a canonical table"):
        warehouse.load_frames(con, {"loads": pd.DataFrame({"x": [1]})}, source="test")
    with pytest.raises(warehouse.WarehouseError, match="no column"):
        warehouse.load_frames(
            con, {"accounts": pd.DataFrame({"account_id": ["a"], "evil": [1]})}, source="test"
        )


@pytest.mark.parametrize(
    "sql",
    [
        "select * from read_csv('/etc/passwd')",
        "attach '/tmp/other.duckdb' as other",
        "copy accounts to '/tmp/leak.csv'",
        "install httpfs",
        "load httpfs",
        "set enable_external_access = true",
        "set allowed_directories = ['/']",
        "set lock_configuration = false",
    ],
)
def test_hardening_refuses(con, sql):
    with pytest.raises(duckdb.Error):
        con.execute(sql)


def test_files_in_the_import_folder_can_be_read(con, db_path):
    csv = warehouse.import_dir(db_path) / "ok.csv"
    csv.write_text("a,b\n1,2\n")
    assert con.execute("select * from read_csv($p)", {"p": str(csv)}).fetchall() == [(1, 2)]


def test_second_process_gets_a_clear_message(db_path):
    import subprocess
    import sys

    holder = warehouse.connect(db_path)
    code = (
        "from dashboard.store import warehouse\n"
        f"warehouse.connect(__import__('pathlib').Path({str(db_path)!r}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    holder.close()
    assert result.returncode != 0
    assert "Another crm-dashboard process may hold it" in result.stderr


def test_default_path_honours_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CRM_DASHBOARD_DB", str(tmp_path / "x.duckdb"))
    assert warehouse.default_db_path() == tmp_path / "x.duckdb"
    monkeypatch.delenv("CRM_DASHBOARD_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert warehouse.default_db_path() == tmp_path / "crm-dashboard" / "warehouse.duckdb"


def test_summaries_are_rebuilt_inside_each_load(con, monkeypatch, tmp_path):
    from dashboard.store import summaries

    folder = tmp_path / "summaries"
    folder.mkdir()
    (folder / "accounts_per_segment.sql").write_text(
        "select segment, count(*) as count_accounts from accounts group by segment"
    )
    monkeypatch.setattr(summaries, "SUMMARIES_DIR", folder)
    warehouse.load_frames(
        con, {"accounts": frame("account_id segment", [("A1", "SMB")])}, source="test"
    )
    warehouse.load_frames(
        con, {"accounts": frame("account_id segment", [("A2", "SMB")])}, source="test"
    )
    assert con.execute("select * from summary_accounts_per_segment").fetchall() == [("SMB", 2)]
    with pytest.raises(duckdb.Error):  # a failing load keeps the summary it had
        warehouse.load_frames(
            con,
            {
                "accounts": frame("account_id segment", [("A3", "SMB")]),
                "deals": frame("deal_id status", [("D", "bad")]),
            },
            source="test",
        )
    assert con.execute("select * from summary_accounts_per_segment").fetchall() == [("SMB", 2)]


def _deals(con):
    return con.execute("select deal_id, amount, load_id from deals order by deal_id").fetchall()


def _load_deals(con, rows):
    return warehouse.load_frames(
        con, {"deals": frame("deal_id status amount", rows)}, source="test"
    )


def test_a_newer_row_replaces_the_older_and_undo_restores_it(con):
    first = _load_deals(con, [("D1", "open", 1), ("D2", "open", 2)])
    second = _load_deals(con, [("D1", "won", 5), ("D3", "open", 3)])
    assert _deals(con) == [("D1", 5.0, second), ("D2", 2.0, first), ("D3", 3.0, second)]
    version = warehouse.data_version(con)
    assert warehouse.undo_load(con, second) == 2
    assert _deals(con) == [("D1", 1.0, first), ("D2", 2.0, first)]
    assert warehouse.data_version(con) == version + 1
    assert con.execute("select count(*) from archived_deals").fetchall() == [(0,)]
    with pytest.raises(warehouse.WarehouseError, match="already undone"):
        warehouse.undo_load(con, second)
    with pytest.raises(warehouse.WarehouseError, match="no load 99"):
        warehouse.undo_load(con, 99)


def test_undo_in_any_order_never_resurrects_or_doubles(con):
    one = _load_deals(con, [("D1", "open", 1)])
    two = _load_deals(con, [("D1", "open", 2)])
    three = _load_deals(con, [("D1", "open", 3)])
    warehouse.undo_load(con, two)  # the middle one: D1 stays as load 3 has it
    assert _deals(con) == [("D1", 3.0, three)]
    warehouse.undo_load(con, three)  # now load 1's row is the one to come back, not load 2's
    assert _deals(con) == [("D1", 1.0, one)]
    warehouse.undo_load(con, one)
    assert _deals(con) == []


def test_reloading_the_same_rows_does_not_duplicate(con):
    _load_deals(con, [("D1", "open", 1), ("D2", "open", 2)])
    _load_deals(con, [("D1", "open", 1), ("D2", "open", 2)])
    assert con.execute("select count(*) from deals").fetchall() == [(2,)]


def test_summaries_built_from_other_sql_are_rebuilt_when_the_database_opens(db_path):
    """A database built by an older version (other summary SQL) is brought up to date when it
    opens, with the summaries reading the changed one, instead of failing on a missing column."""
    from dashboard.store import summaries

    warehouse.connect(db_path).close()
    con = warehouse.connect(db_path)
    assert summaries.build_stale(con) == []  # all current: nothing to do
    con.execute("update summary_sources set sql_hash = 'older' where name = 'deal_competitors'")
    con.execute("drop table summary_deals_closed")
    con.close()
    con = warehouse.connect(db_path)
    recorded = dict(con.execute("select name, sql_hash from summary_sources").fetchall())
    assert recorded["deal_competitors"] == summaries.fingerprint("deal_competitors")
    names = con.execute("select table_name from information_schema.tables").fetchall()
    tables = {r[0] for r in names}
    assert "summary_deals_closed" in tables  # dropped above, built again on opening
    # what was rebuilt: the changed one and those reading it (deal_competitors_named and
    # deals_closed read it, and deals_closed_competitors reads both); a summary that reads
    # neither stays as it was
    changed = {"deal_competitors", "deal_competitors_named", "deals_closed"}
    changed |= {"deals_closed_competitors"}
    # and the default views served from queries reading those (core/served.py)
    read = {f"summary_{n}" for n in changed}
    changed |= {
        n for n in summaries.available() if summaries.is_served(n) and summaries.reads(n) & read
    }
    assert all(n in summaries.available() for n in changed)
    con.execute("update summary_sources set sql_hash = 'older' where name = 'deal_competitors'")
    assert set(summaries.build_stale(con)) == {f"summary_{n}" for n in changed}
    con.close()
