"""DuckDB hardening: the warehouse connection reads only the import folder and cannot be
reconfigured, extended or pointed at other files.

Each refusal is checked twice: the hardened warehouse refuses the statement, and a plain DuckDB
connection runs the same statement (so the test would fail if the defence were removed).
"""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dashboard.cli import main as cli
from dashboard.core import queries
from dashboard.store import warehouse

# Statements that touch files, keyed by what they try. {out} is a folder outside the import
# folder holding secret.csv / secret.parquet / secret.json / other.duckdb; {imp} is the import
# folder; {db} is the warehouse's own folder.
FILE_ATTACKS = {
    "read_csv": "select * from read_csv('{out}/secret.csv')",
    "read_csv_auto": "select * from read_csv_auto('{out}/secret.csv')",
    "replacement scan": "select * from '{out}/secret.csv'",
    "read_parquet": "select * from read_parquet('{out}/secret.parquet')",
    "parquet_metadata": "select * from parquet_metadata('{out}/secret.parquet')",
    "read_json": "select * from read_json('{out}/secret.json')",
    "read_text": "select * from read_text('{out}/secret.csv')",
    "read_blob": "select * from read_blob('{out}/secret.csv')",
    "glob": "select * from glob('{out}/*')",
    "sniff_csv": "select * from sniff_csv('{out}/secret.csv')",
    "dot-dot out of the import folder": "select * from read_csv('{imp}/../outside/secret.csv')",
    "glob out of the import folder": "select * from glob('{imp}/../*')",
    "a file beside the database": "select * from read_blob('{db}/beside.csv')",
    "attach": "attach '{out}/other.duckdb' as other",
    "attach read only": "attach '{out}/other.duckdb' as other (read_only)",
    "copy to": "copy accounts to '{out}/leak.csv'",
    "copy to parquet": "copy accounts to '{out}/leak.parquet' (format parquet)",
    "copy from": "copy accounts from '{out}/secret.csv'",
    "export database": "export database '{out}/dump'",
    "import database": "import database '{out}/dump_ready'",
}
# Settings the hardening locks, and statements that try to change them.
SETTING_ATTACKS = {
    "enable external access": "set enable_external_access = true",
    "reset external access": "reset enable_external_access",
    "widen allowed_directories": "set allowed_directories = ['/']",
    "reset allowed_directories": "reset allowed_directories",
    "allowed_paths": "set allowed_paths = ['/etc/passwd']",
    "unlock": "set lock_configuration = false",
    "reset the lock": "reset lock_configuration",
    "global unlock": "set global lock_configuration = false",
    "temp_directory": "set temp_directory = '/tmp'",
    "autoinstall": "set autoinstall_known_extensions = true",
    "autoload": "set autoload_known_extensions = true",
    "pragma threads": "pragma threads = 1",
    "pragma profiling": "pragma enable_profiling",
    "profiling output file": "set profiling_output = '/tmp/crm-profile.txt'",
    "memory limit": "set memory_limit = '1GB'",
    "time zone": "set TimeZone = 'Europe/Paris'",
}
EXTENSION_ATTACKS = {
    "install": "install httpfs",
    "force install": "force install httpfs",
    "load": "load httpfs",
    "load a file": "load '{out}/evil.duckdb_extension'",
    "persistent secret": "create persistent secret s (type s3, key_id 'a', secret 'b')",
    "remote file": "select * from read_csv('http://127.0.0.1:9/x.csv')",
}


@pytest.fixture
def places(db_path: Path, tmp_path: Path) -> dict[str, str]:
    """An `outside` folder with files worth stealing, beside the warehouse's folder."""
    out = tmp_path / "outside"
    out.mkdir()
    warehouse.import_dir(db_path).mkdir(exist_ok=True)
    (out / "secret.csv").write_text("name,salary\nAda,100\n")
    (out / "secret.json").write_text('[{"name": "Ada"}]')
    plain = duckdb.connect(str(out / "other.duckdb"))
    plain.execute("create table t as select 42 as answer")
    plain.execute(f"copy t to '{out / 'secret.parquet'}' (format parquet)")
    plain.execute("create table accounts (account_id varchar)")
    plain.execute(f"export database '{out / 'dump_ready'}'")
    plain.close()
    (db_path.parent / "beside.csv").write_text("a\n1\n")
    return {"out": str(out), "imp": str(warehouse.import_dir(db_path)), "db": str(db_path.parent)}


def _plain_with_accounts(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    plain = duckdb.connect(str(tmp_path / "plain.duckdb"))
    plain.execute("create table if not exists accounts (account_id varchar)")
    return plain


@pytest.mark.parametrize("attack", FILE_ATTACKS, ids=list(FILE_ATTACKS))
def test_files_outside_the_import_folder_are_refused(con, places, attack):
    sql = FILE_ATTACKS[attack].format(**places)
    with pytest.raises(duckdb.PermissionException, match="disabled by configuration"):
        con.execute(sql)
    with pytest.raises(duckdb.PermissionException):  # every session's cursor too
        con.cursor().execute(sql)


@pytest.mark.parametrize("attack", FILE_ATTACKS, ids=list(FILE_ATTACKS))
def test_without_the_hardening_the_same_file_attacks_work(places, tmp_path, attack):
    """The control: these statements are real attacks, not statements that fail anyway."""
    plain = duckdb.connect() if attack == "import database" else _plain_with_accounts(tmp_path)
    plain.execute(FILE_ATTACKS[attack].format(**places))
    plain.close()


@pytest.mark.parametrize("attack", SETTING_ATTACKS, ids=list(SETTING_ATTACKS))
def test_locked_settings_cannot_change(con, attack):
    sql = SETTING_ATTACKS[attack]
    for cursor in (con, con.cursor()):
        with pytest.raises(duckdb.InvalidInputException, match="configuration has been locked"):
            cursor.execute(sql)
    assert warehouse.scalar(con, "select current_setting('enable_external_access')") is False
    assert warehouse.scalar(con, "select current_setting('lock_configuration')") is True


@pytest.mark.parametrize("attack", SETTING_ATTACKS, ids=list(SETTING_ATTACKS))
def test_without_the_lock_the_same_settings_change(attack):
    if "external access" in attack:
        pytest.skip("DuckDB itself never turns external access back on in a running database")
    plain = duckdb.connect()
    plain.execute(SETTING_ATTACKS[attack])
    plain.close()


@pytest.mark.parametrize("attack", EXTENSION_ATTACKS, ids=list(EXTENSION_ATTACKS))
def test_extensions_secrets_and_remote_files_are_refused(con, places, attack):
    with pytest.raises(duckdb.PermissionException):
        con.execute(EXTENSION_ATTACKS[attack].format(**places))


@pytest.mark.parametrize("attack", EXTENSION_ATTACKS, ids=list(EXTENSION_ATTACKS))
def test_without_the_hardening_extension_statements_are_not_refused_for_permission(places, attack):
    """On a plain connection these fail, if at all, for other reasons (no network, no such
    file): never with the PermissionException the hardened warehouse gives."""
    plain = duckdb.connect()
    try:
        plain.execute(EXTENSION_ATTACKS[attack].format(**places))
    except duckdb.PermissionException:
        pytest.fail("a plain connection refused it for permission: the test proves nothing")
    except duckdb.Error:
        pass
    finally:
        plain.close()


def test_the_import_folder_itself_stays_readable(con, db_path):
    csv = warehouse.import_dir(db_path) / "upload.csv"
    csv.write_text("a\n1\n")
    assert con.execute("select * from read_csv($p)", {"p": str(csv)}).fetchall() == [(1,)]


def test_a_symlink_in_the_import_folder_does_not_lead_out(con, db_path, places):
    folder = warehouse.import_dir(db_path)
    (folder / "link.csv").symlink_to(Path(places["out"]) / "secret.csv")
    (folder / "dir").symlink_to(places["out"])
    for path in (folder / "link.csv", folder / "dir" / "secret.csv"):
        with pytest.raises(duckdb.PermissionException):
            con.execute("select * from read_csv($p)", {"p": str(path)})


def test_hardening_holds_on_every_open_of_the_file(db_path, places):
    first = warehouse.connect(db_path)
    second = warehouse.connect(db_path)  # same process, same file: the same DuckDB instance
    for connection in (first, second):
        with pytest.raises(duckdb.PermissionException):
            connection.execute(FILE_ATTACKS["read_csv"].format(**places))
    first.close()
    second.close()
    again = warehouse.connect(db_path)  # reopened: settings are not stored in the file
    with pytest.raises(duckdb.InvalidInputException):
        again.execute(SETTING_ATTACKS["enable external access"])
    with pytest.raises(duckdb.PermissionException):
        again.execute(FILE_ATTACKS["attach"].format(**places))
    again.close()


def test_hardening_holds_in_a_fresh_process(db_path, places):
    warehouse.connect(db_path).close()
    code = (
        "import sys, duckdb\nfrom pathlib import Path\nfrom dashboard.store import warehouse\n"
        "con = warehouse.connect(Path(sys.argv[1]))\n"
        "for sql in sys.argv[2:]:\n"
        "    try:\n        con.execute(sql)\n        print('ran', sql)\n"
        "    except duckdb.Error:\n        print('refused')\n"
    )
    statements = [
        FILE_ATTACKS["read_csv"].format(**places),
        FILE_ATTACKS["copy to"].format(**places),
        SETTING_ATTACKS["enable external access"],
    ]
    done = subprocess.run(
        [sys.executable, "-c", code, str(db_path), *statements],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.split() == ["refused"] * len(statements), done.stdout + done.stderr


def test_the_import_folder_is_private_to_the_app_user(db_path):
    warehouse.connect(db_path).close()
    mode = stat.S_IMODE(warehouse.import_dir(db_path).stat().st_mode)
    assert mode & 0o077 == 0, oct(mode)


HOSTILE_QUERY_NAMES = [
    "../../etc/passwd",
    "/etc/passwd",
    "deal_summary.sql",
    "deal_summary; drop table deals",
    "deal_summary' --",
    "DEAL_SUMMARY",
    "summaries/deal_competitors",
    "deal_summary\x00",
    "",
    "x" * 10_000,
]


@pytest.mark.parametrize("name", HOSTILE_QUERY_NAMES, ids=range(len(HOSTILE_QUERY_NAMES)))
def test_no_text_reaches_sql_through_a_query_name(con, name):
    with pytest.raises(queries.QueryError, match="There is no query named"):
        queries.run(con, name, {})
    assert con.execute("select count(*) from deals").fetchall() == [(0,)]


@pytest.mark.parametrize("name", HOSTILE_QUERY_NAMES[:5], ids=range(5))
def test_the_cli_query_command_refuses_hostile_names_in_one_sentence(con, db_path, capsys, name):
    con.close()
    assert cli(["query", name, "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert "There is no query named" in err and "Traceback" not in err


def test_serve_keeps_xsrf_on_and_caps_uploads(monkeypatch, tmp_path):
    """`crm-dashboard serve` never turns XSRF protection or CORS checks off, listens on
    loopback by default, and caps Streamlit's uploads at the importer's own limit."""
    from dashboard import cli as cli_module
    from dashboard.ingest import files

    seen = {}

    def fake_exec(program, command, env):
        seen["command"] = command

    monkeypatch.setattr(cli_module.os, "execvpe", fake_exec)
    monkeypatch.setenv(files.MAX_IMPORT_ENV, "300")
    assert cli(["serve", "--db", str(tmp_path / "w.duckdb")]) == 0
    command = " ".join(seen["command"])
    assert "enableXsrfProtection" not in command and "enableCORS" not in command
    assert "--server.address 127.0.0.1" in command
    assert "--server.maxUploadSize 200" in command  # the upload box: 200 MB, below 300 (issue 21)
    # st.dataframe's built-in CSV export would skip safe_csv: it is turned off.
    assert "--client.disableDataExport true" in command
    # A failure outside the error boundaries shows no traceback, type or path (issue 21.2).
    assert "--client.showErrorDetails none" in command
    root = Path(__file__).resolve().parents[2]
    for config in root.glob(".streamlit/*.toml"):
        text = config.read_text()
        assert "enableXsrfProtection = false" not in text and "enableCORS = false" not in text
