"""The CLI under a roles file: --as USER (or $USER) gets the same role and scope as in the app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard import cli
from dashboard.core import access
from dashboard.store import warehouse
from tests.conftest import EXPORTS
from tests.golden_data import load_golden

ROLES = """
[people]
"exec" = "viewer"
"ana" = "analyst"
"maria" = { role = "manager", segments = ["SMB"] }
"nogrant" = "manager"
"""


@pytest.fixture
def golden_db(db_path):
    con = warehouse.connect(db_path)
    load_golden(con)
    con.close()
    return db_path


@pytest.fixture
def roles(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "roles.toml"
    path.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv(access.ROLES_ENV, str(path))
    monkeypatch.setenv("USER", "exec")
    return path


def kpis(capsys, db: Path, *extra: str) -> dict:
    assert cli.main(["kpis", "--db", str(db), *extra]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def test_kpis_as_a_manager_are_the_granted_figures(golden_db, roles, capsys):
    # Granted SMB = A2: D3 won 3,000, D4 open, D6 lost -> 1 won / 1 lost; customers: A2.
    mine = kpis(capsys, golden_db, "--as", "maria")
    assert (mine["deals_total"], mine["deals_won"], mine["deals_lost"]) == (3, 1, 1)
    assert mine["won_amount"] == 3000.0 and mine["customers_total"] == 1
    assert mine["nps_responses"] == 2  # S5 and S6
    # asking for a segment outside the grant gives nothing, not everything
    outside = kpis(capsys, golden_db, "--as", "maria", "--segment", "Enterprise")
    assert outside["deals_total"] == 0 and outside["customers_total"] is None  # no data in view
    # the viewer from $USER sees every row (4 customers, 7 deals), as the admin would
    everyone = kpis(capsys, golden_db)
    assert (everyone["deals_total"], everyone["customers_total"]) == (7, 4)


def test_query_params_cannot_widen_a_grant(golden_db, roles, capsys):
    argv = ["query", "filter_options", "--db", str(golden_db), "--format", "json", "--as"]
    assert cli.main([*argv, "maria", "--param", "segments=null"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {(r["dimension"], r["value"]) for r in rows} == {
        ("owner", "Bob"),
        ("region", "APAC"),
        ("segment", "SMB"),
    }
    deals = ["query", "deal_summary", "--db", str(golden_db), "--format", "json", "--as"]
    assert cli.main([*deals, "maria", "--param", 'segments=["Enterprise","SMB"]']) == 0
    assert json.loads(capsys.readouterr().out)[0]["deals_total"] == 3  # SMB only
    assert cli.main([*deals, "nogrant"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["deals_total"] == 0  # granted nothing


def test_unknown_people_and_broken_files_are_refused(golden_db, roles, capsys):
    assert cli.main(["kpis", "--db", str(golden_db), "--as", "mallory"]) == 2
    err = capsys.readouterr().err
    assert "no access" in err and "mallory is not in the roles file" in err
    roles.write_text("[people]\nexec = 'boss'\n", encoding="utf-8")
    assert cli.main(["kpis", "--db", str(golden_db)]) == 2
    assert "'boss' is not one of" in capsys.readouterr().err


@pytest.mark.parametrize("person", ["exec", "maria"])
@pytest.mark.parametrize(
    "command", [["undo", "1"], ["loads"], ["import", "x.csv"], ["sample", "--scale", "0.01"]]
)
def test_writes_and_load_history_need_analyst_or_admin(golden_db, roles, capsys, person, command):
    assert cli.main([*command, "--db", str(golden_db), "--as", person]) == 2
    assert "are for analysts and admins" in capsys.readouterr().err
    con = warehouse.connect(golden_db)
    assert con.execute("select count(*), count(undone_at) from loads").fetchall() == [(1, 0)]
    con.close()


def test_an_analyst_may_list_and_undo_loads(golden_db, roles, capsys):
    assert cli.main(["loads", "--db", str(golden_db), "--as", "ana"]) == 0
    assert cli.main(["undo", "1", "--db", str(golden_db), "--as", "ana"]) == 0
    assert "Undid load 1" in capsys.readouterr().out


def test_without_a_roles_file_the_cli_is_the_local_admin(golden_db, monkeypatch, capsys):
    monkeypatch.delenv(access.ROLES_ENV, raising=False)
    assert kpis(capsys, golden_db, "--as", "whoever")["deals_total"] == 7
    assert cli.main(["loads", "--db", str(golden_db)]) == 0


def test_the_load_history_records_who_imported(golden_db, roles, capsys):
    export = EXPORTS / "pipedrive-deals.csv"
    argv = ["import", str(export), "--db", str(golden_db), "--as", "ana", "--keep-sample"]
    assert cli.main(argv) == 0, capsys.readouterr().err
    con = warehouse.connect(golden_db)
    assert con.execute("select user_name from loads order by load_id desc limit 1").fetchall() == [
        ("ana",)
    ]
    con.close()


def test_roles_check_tells_the_operator_what_the_app_only_logs(roles, capsys):
    """Issue 21.9: with the file broken nobody is an admin in the app, so the detail is for
    the operator here (and the server log)."""
    assert cli.main(["roles", "check"]) == 0
    # the fixture's ROLES: ana analyst, exec viewer, maria and nogrant managers
    assert (
        capsys.readouterr()
        .out.strip()
        .endswith(": valid, 4 people (1 analyst, 2 managers, 1 viewer).")
    )
    roles.write_text("[people]\n'maria@example.com' = 'boss'\n", encoding="utf-8")
    assert cli.main(["roles", "check"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"crm-dashboard roles: {roles}: person 'maria@example.com': role 'boss' is not one of "
        "viewer, manager, analyst, admin.\n"
    )
