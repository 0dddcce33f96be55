"""`crm-dashboard changes`: two CSV imports through the CLI, then what the second changed.

deals1.csv: D1 A1 Ann Proposal 100 | D2 A1 Ann Qualification 200 | D3 A2 Bob Won 300 (closed
1 Feb 2025, created 7 Jan: 25 days). deals2.csv: D1 Won 150 (created 5 Jan, closed 1 Mar: 55
days) | D2 as before | D4 A2 Bob Proposal 500 (new).
"""

import json

import pytest

from dashboard import cli
from dashboard.core import access
from dashboard.store import warehouse

HEADER = "deal_id,account_id,deal_name,stage,amount,created_at,closed_at,owner\n"
FIRST = "D1,A1,Alpha,Proposal,100,2025-01-05,,Ann\nD2,A1,Beta,Qualification,200,2025-01-06,,Ann\n"
FIRST += "D3,A2,Gamma,Won,300,2025-01-07,2025-02-01,Bob\n"
SECOND = (
    "D1,A1,Alpha,Won,150,2025-01-05,2025-03-01,Ann\nD2,A1,Beta,Qualification,200,2025-01-06,,Ann\n"
)
SECOND += "D4,A2,Delta,Proposal,500,2025-02-10,,Bob\n"


@pytest.fixture
def imported(tmp_path, db_path):
    for name, rows in (("deals1.csv", FIRST), ("deals2.csv", SECOND)):
        path = tmp_path / name
        path.write_text(HEADER + rows)
        assert cli.main(["import", str(path), "--db", str(db_path)]) == 0
    return db_path


def test_changes_json_after_a_second_import(imported, capsys):
    capsys.readouterr()
    assert cli.main(["changes", "--db", str(imported)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["since_load"], out["loads"], out["event"]) == (2, [2], "load")
    assert out["files"][0]["file_name"] == "deals2.csv"
    # D4 added; D1 Proposal -> Won (+50); D2 unchanged.
    assert (out["deals_added"], out["deals_updated"], out["deals_removed"]) == (1, 1, 0)
    assert out["stage_moves"] == [{"from": "Proposal", "to": "Won", "deals": 1}]
    assert out["status_changes"] == {"won": 1, "lost": 0, "reopened": 0}
    before, after = out["kpis_before"]["all_time"], out["kpis_after"]["all_time"]
    # Won: D3 300 -> D3 + D1 450; open: D1 + D2 300 -> D2 + D4 700; cycle 25 -> median(25, 55).
    assert (before["won_amount"], after["won_amount"]) == (300.0, 450.0)
    assert (before["pipeline_open_amount"], after["pipeline_open_amount"]) == (300.0, 700.0)
    assert (before["median_sales_cycle_days"], after["median_sales_cycle_days"]) == (25.0, 40.0)
    assert [m["deal_id"] for m in out["biggest_movers"]] == ["D4", "D1"]  # +500, +50


def test_changes_since_the_first_load_and_as_a_table(imported, capsys):
    capsys.readouterr()
    assert cli.main(["changes", "--db", str(imported), "--since-load", "1"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["loads"] == [1, 2] and out["deals_added"] == 4  # D1-D4 against nothing
    assert cli.main(["changes", "--db", str(imported), "--format", "table"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Since deals2.csv, loaded ")
    assert "Won amount: $300 → $450 (+50.0%)" in text
    assert "1 deal moved Proposal → Won" in text


def test_an_undo_through_the_cli_is_a_change_too(imported, capsys):
    assert cli.main(["undo", "2", "--db", str(imported)]) == 0
    capsys.readouterr()
    assert cli.main(["changes", "--db", str(imported)]) == 0
    out = json.loads(capsys.readouterr().out)
    # D4 goes, D1 back to Proposal (reopened, -50).
    assert (out["event"], out["deals_removed"], out["deals_updated"]) == ("undo", 1, 1)
    assert out["status_changes"]["reopened"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since-load", "9"], "There is no load 9; `crm-dashboard loads` lists them."),
        (["--as", "nobody@example.com"], "no access: nobody@example.com is not in the roles file."),
    ],
)
def test_refusals_are_one_sentence_and_exit_2(
    imported, capsys, monkeypatch, tmp_path, args, message
):
    roles = tmp_path / "roles.toml"
    roles.write_text('[people]\n"ana" = "analyst"\n')
    monkeypatch.setenv(access.ROLES_ENV, str(roles))
    capsys.readouterr()
    assert cli.main(["changes", "--db", str(imported), "--as", "ana", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_no_loads_yet(db_path, capsys):
    warehouse.connect(db_path).close()
    assert cli.main(["changes", "--db", str(db_path)]) == 2
    assert "Nothing has been loaded yet: import a file first." in capsys.readouterr().err


def test_a_manager_gets_only_their_grant(imported, capsys, monkeypatch, tmp_path):
    """The CLI import gives no segments; a team grant (owners table) narrows to Ann's deals."""
    teams = tmp_path / "teams.csv"
    teams.write_text("sales_agent,manager,regional_office\nAnn,Maria,East\nBob,Maria,West\n")
    roles = tmp_path / "roles.toml"
    roles.write_text(
        '[people]\n"ana" = "analyst"\n[people.maria]\nrole = "manager"\nteams = ["East"]\n'
    )
    monkeypatch.setenv(access.ROLES_ENV, str(roles))
    args = ["--db", str(imported)]
    assert cli.main(["import", str(teams), "--table", "owners", "--as", "ana", *args]) == 0
    capsys.readouterr()
    assert cli.main(["changes", "--since-load", "2", "--as", "maria", *args]) == 0
    out = json.loads(capsys.readouterr().out)
    # Loads 2 and 3 (the teams file); East = Ann: D1 updated (Proposal -> Won), D2 unchanged;
    # Bob's D4 is not hers.
    assert out["loads"] == [2, 3]
    assert (out["deals_added"], out["deals_updated"]) == (0, 1)
    assert [m["deal_id"] for m in out["biggest_movers"]] == ["D1"]
    assert out["files"][0]["file_name"] is None  # no file names for a manager
