"""A teams file on the command line: `import sales_teams.csv --table owners`, `kpis --team`,
`query ... --param teams=...`, a manager granted teams, and undo of the teams load.

Files: tests/ingest/real_exports/maven-crm (the four-file CRM export's shape: sales_agent,
manager, regional_office; the office is the team)."""

import json
from pathlib import Path

import pytest

from dashboard import cli

MAVEN = Path(__file__).parent / "ingest" / "real_exports" / "maven-crm"
DEAL_MAP = [
    "deal_id=opportunity_id",
    "owner=sales_agent",
    "stage=deal_stage",
    "amount=close_value",
    "created_at=engage_date",
    "closed_at=close_date",
    "account_name=account",
    "product=product",
]
TEAM_MAP = ["owner=sales_agent", "team=regional_office", "manager=manager"]


def _maps(pairs: list[str]) -> list[str]:
    return [arg for pair in pairs for arg in ("--map", pair)]


def _kpis(db, capsys, *args: str) -> dict:
    capsys.readouterr()
    assert cli.main(["kpis", "--db", str(db), *args]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def maven_db(db_path, capsys):
    deals = str(MAVEN / "sales_pipeline.csv")
    teams = str(MAVEN / "sales_teams.csv")
    db = ["--db", str(db_path)]
    assert cli.main(["import", deals, "--table", "deals", *_maps(DEAL_MAP), *db]) == 0
    assert cli.main(["import", teams, "--table", "owners", *_maps(TEAM_MAP), *db]) == 0
    out = capsys.readouterr().out
    assert "Loaded 6 rows of sales_teams.csv into owners" in out
    return db_path


def test_kpis_team_east_equals_the_hand_count(maven_db, capsys):
    # East = Moses Frase and Violet Mclelland (sales_teams.csv). Their deals:
    #   1C1I7A6R Moses Won 1054, 2016-10-20 -> 2017-03-01 = 132 days
    #   MV1LWRNH Moses Won  588, 2016-10-25 -> 2017-03-09 = 135 days
    #   TYXPSGQX Moses Lost
    #   PE84CX4O Violet Won 26000, 2016-11-03 -> 2017-03-02 = 119 days
    #   B2Z9RR1N Violet Engaging (open)
    # = 5 deals, 3 won, 1 lost, 1 open; won 27,642; win rate 3/4; median cycle 132 days.
    east = _kpis(maven_db, capsys, "--team", "East")
    assert {k: east[k] for k in ("deals_total", "deals_won", "deals_lost", "deals_open")} == {
        "deals_total": 5,
        "deals_won": 3,
        "deals_lost": 1,
        "deals_open": 1,
    }
    assert (east["won_amount"], east["win_rate"]) == (27642.0, 0.75)
    assert east["median_sales_cycle_days"] == 132
    # --team repeats: East (5) + West (Hayden Neloms: HAXMC4IX, AHIPBOHT, KWVA7VR1 = 3) = 8;
    # the whole file has 16 deals.
    assert _kpis(maven_db, capsys, "--team", "East", "--team", "West")["deals_total"] == 8
    assert _kpis(maven_db, capsys)["deals_total"] == 16


def test_query_takes_teams_and_lists_them(maven_db, capsys):
    capsys.readouterr()
    argv = ["query", "filter_options", "--db", str(maven_db), "--format", "json"]
    assert cli.main(argv) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["value"] for r in rows if r["dimension"] == "team"] == ["Central", "East", "West"]
    argv = ["query", "deal_summary", "--db", str(maven_db), "--format", "json"]
    assert cli.main([*argv, "--param", 'teams=["West"]']) == 0
    assert json.loads(capsys.readouterr().out)[0]["deals_total"] == 3


def test_a_manager_granted_a_team_sees_only_its_deals(maven_db, capsys, tmp_path, monkeypatch):
    roles = tmp_path / "roles.toml"
    roles.write_text(
        '[people]\n"cara" = { role = "manager", teams = ["East"] }\n', encoding="utf-8"
    )
    monkeypatch.setenv("CRM_DASHBOARD_ROLES", str(roles))
    # Cara asks for everything, and for West: she gets East's 5 deals, then nothing.
    assert _kpis(maven_db, capsys, "--as", "cara")["deals_total"] == 5
    assert _kpis(maven_db, capsys, "--as", "cara", "--team", "West")["deals_total"] == 0
    capsys.readouterr()
    argv = ["query", "deal_summary", "--db", str(maven_db), "--as", "cara", "--format", "json"]
    assert cli.main([*argv, "--param", 'teams=["West"]']) == 0
    assert json.loads(capsys.readouterr().out)[0]["deals_total"] == 0


def test_undoing_the_teams_load_removes_the_teams(maven_db, capsys):
    capsys.readouterr()
    assert cli.main(["undo", "2", "--db", str(maven_db)]) == 0  # load 2 = sales_teams.csv
    assert "6 rows removed" in capsys.readouterr().out
    assert _kpis(maven_db, capsys, "--team", "East")["deals_total"] == 0
    argv = ["query", "filter_options", "--db", str(maven_db), "--format", "json"]
    assert cli.main(argv) == 0
    assert not [r for r in json.loads(capsys.readouterr().out) if r["dimension"] == "team"]
