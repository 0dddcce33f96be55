"""`crm-dashboard alerts check` (exit 1 firing, 0 none, 2 broken file) and the check after an
import on the command line, which never fails the load."""

from __future__ import annotations

import json

import duckdb

from dashboard import cli
from tests.alerts.conftest import UNDER_51, load_company, write_rules
from tests.conftest import EXPORTS, loaded

FIRES = UNDER_51.format(recipients='["outbox"]')


def test_check_exits_1_when_a_rule_fires_and_prints_json(db_path, tmp_path, capsys):
    loaded(db_path, load_company)
    path = write_rules(tmp_path, FIRES)
    argv = ["alerts", "check", "--db", str(db_path), "--rules", str(path), "--format", "json"]
    assert cli.main(argv) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["fired"] == 1 and out["skipped"] is None
    (rule,) = out["rules"]
    assert (rule["rule"], rule["value"], rule["threshold"], rule["fires"]) == (
        "Win rate under 51%",
        0.5,
        0.51,
        True,
    )
    assert rule["period"] == {"name": "last-30-days", "from": "2025-04-01", "to": "2025-04-30"}
    assert rule["deliveries"] == [{"recipient": "outbox", "delivered": True, "error": None}]
    # Nothing loaded since: --if-changed checks nothing and exits 0.
    assert cli.main([*argv, "--if-changed"]) == 0
    assert json.loads(capsys.readouterr().out)["skipped"].startswith("no load since")
    # Without --if-changed it checks again: still firing (exit 1), nothing sent again.
    assert cli.main(argv) == 1
    assert json.loads(capsys.readouterr().out)["rules"][0]["deliveries"] == []
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


def test_check_exits_0_when_nothing_fires(db_path, tmp_path, capsys):
    loaded(db_path, load_company)
    path = write_rules(tmp_path, FIRES.replace("0.51", "0.5"))
    assert cli.main(["alerts", "check", "--db", str(db_path), "--rules", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 rule(s) checked, 0 firing" in out


def test_a_broken_file_exits_2_with_one_line_per_mistake(db_path, tmp_path, capsys):
    loaded(db_path, load_company)
    text = FIRES.replace('"below"', '"beneath"').replace('"last-30-days"', '"fortnight"')
    path = write_rules(tmp_path, text)
    assert cli.main(["alerts", "check", "--db", str(db_path), "--rules", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "Traceback" not in "".join(err)
    assert err[0].startswith(
        "crm-dashboard alerts check: alerts.toml, rule 1 ('Win rate under 51%'), key 'comparison'"
    )
    assert "key 'period'" in err[1]


def test_no_rules_file_is_one_sentence(db_path, capsys, monkeypatch):
    monkeypatch.delenv("CRM_DASHBOARD_ALERTS", raising=False)
    loaded(db_path, load_company)
    assert cli.main(["alerts", "check", "--db", str(db_path)]) == 2
    assert "set $CRM_DASHBOARD_ALERTS" in capsys.readouterr().err


ANY_DEAL = """
[[rule]]
name = "Deals loaded"
metric = "deals_total"
comparison = "above"
threshold = 0
recipients = ["outbox", "http://127.0.0.1:9/nobody-listens"]
"""


def test_the_check_runs_after_an_import_and_a_failed_delivery_does_not_fail_it(
    db_path, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("CRM_DASHBOARD_ALERTS", str(write_rules(tmp_path, ANY_DEAL)))
    export = EXPORTS / "pipedrive-deals.csv"
    assert cli.main(["import", str(export), "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "Alerts: 1 rule(s) checked, 1 firing" in out
    assert "sent to outbox" in out and "not sent to http://127.0.0.1:9/…: webhook" in out
    assert "nobody-listens" not in out  # a webhook URL may carry a token: host only
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        loads = con.execute("select count(*) from loads").fetchone()[0]
        checks = con.execute("select trigger_name from alert_checks").fetchall()
    finally:
        con.close()
    assert loads == 1 and checks == [("after load",)]


def test_a_broken_rules_file_never_fails_an_import(db_path, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CRM_DASHBOARD_ALERTS", str(write_rules(tmp_path, "[[rule]]\nname = 3\n")))
    export = EXPORTS / "pipedrive-deals.csv"
    assert cli.main(["import", str(export), "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "Loaded" in out or "load 1" in out
    assert "Alerts not checked: alerts.toml, rule 1, key 'name'" in out


def test_the_check_runs_after_a_load_on_the_import_page(con, tmp_path, monkeypatch):
    from dashboard.ingest import loader
    from dashboard.ui import alert_notes
    from dashboard.ui import import_panels as view

    monkeypatch.setenv("CRM_DASHBOARD_ALERTS", str(write_rules(tmp_path, ANY_DEAL)))
    deals = b"Deal ID,Company,Stage,Amount\nD1,Acme,Closed Won,10\n"
    panel = view.Panel(view.Choices(), inspection=loader.inspect(con, deals, "deals.csv"))
    monkeypatch.setattr(view, "panels", lambda: {"f1": panel})
    shown = {}
    monkeypatch.setattr(alert_notes.st, "session_state", shown)
    view.load_all(con, all_or_nothing=False, remove_sample=False, user="ana")
    assert panel.result.startswith("Loaded 1 rows of deals.csv")
    lines = shown[alert_notes.KEY]
    assert lines[0].startswith("Alerts: 1 rule(s) checked, 1 firing")
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    assert con.execute("select owner_name from alert_rule_state").fetchall() == [("ana",)]
