"""The crm-dashboard command, called as a user would (main(argv)) and once as a process."""

import json
import subprocess
import sys

import pytest

from dashboard import cli
from dashboard.store import warehouse
from tests.golden_data import load_golden

REQUIRED_KPI_KEYS = {
    "deals_total",
    "deals_open",
    "deals_won",
    "deals_lost",
    "win_rate",
    "won_amount",
    "pipeline_open_amount",
    "median_sales_cycle_days",
    "customers_total",
    "nps",
    "nps_responses",
    "csat",
    "csat_responses",
}


@pytest.fixture
def golden_db(db_path):
    con = warehouse.connect(db_path)
    load_golden(con)
    con.close()
    return db_path


def test_kpis_json_all_time(golden_db, capsys):
    assert cli.main(["kpis", "--db", str(golden_db)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= REQUIRED_KPI_KEYS
    # Hand-worked in test_queries_golden: all time, 4 won / 2 lost, 4,800 won, NPS 16.7.
    assert (out["deals_total"], out["deals_won"], out["deals_lost"]) == (7, 4, 2)
    assert out["win_rate"] == pytest.approx(4 / 6)
    assert out["won_amount"] == 4800.0 and out["customers_total"] == 4
    assert out["nps"] == pytest.approx(100 / 6) and out["nps_responses"] == 6
    assert isinstance(out["deals_total"], int)


def test_kpis_period_and_segment(golden_db, capsys):
    args = [
        "kpis",
        "--db",
        str(golden_db),
        "--from",
        "2025-01-01",
        "--to",
        "2025-03-31",
        "--segment",
        "Enterprise",
    ]
    assert cli.main(args) == 0
    out = json.loads(capsys.readouterr().out)
    # A1 only in Q1: won D1, lost D2; NPS 10 9 7 3 -> 25; CSAT 5 4 2 -> 66.7%.
    assert (out["deals_won"], out["deals_lost"], out["win_rate"]) == (1, 1, 0.5)
    assert out["nps"] == 25.0 and out["csat"] == pytest.approx(200 / 3)


def test_kpis_null_where_no_data(db_path, capsys):
    warehouse.connect(db_path).close()  # an empty warehouse
    assert cli.main(["kpis", "--db", str(db_path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["win_rate"] is None and out["nps"] is None and out["won_amount"] is None
    assert out["deals_total"] == 0


def test_kpis_table(golden_db, capsys):
    assert cli.main(["kpis", "--db", str(golden_db), "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert "won_amount" in out and "4,800" in out


def test_query_csv_and_json(golden_db, capsys):
    assert (
        cli.main(
            [
                "query",
                "closed_deals_by_month",
                "--db",
                str(golden_db),
                "--param",
                "start_date=2025-01-01",
                "--param",
                "end_date=2025-03-31",
                "--param",
                'segments=["Enterprise"]',
            ]
        )
        == 0
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "month_start,deals_won,deals_lost,won_amount"
    assert len(lines) == 3  # Jan (D1 won) and Feb (D2 lost) for A1
    assert cli.main(["query", "filter_options", "--db", str(golden_db), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"dimension": "segment", "value": "SMB"} in rows


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "nope"], "no query named 'nope'"),
        (["query", "deal_summary", "--param", "x=1"], "unexpected x"),
        (["query", "deal_summary", "--param", "novalue"], "expects K=V"),
        (["kpis", "--from", "2025-02-01", "--to", "2025-01-01"], "is after"),
    ],
)
def test_mistakes_get_one_sentence_not_a_traceback(db_path, capsys, argv, message):
    warehouse.connect(db_path).close()
    assert cli.main([*argv, "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_read_commands_refuse_a_database_that_does_not_exist(tmp_path, capsys):
    missing = tmp_path / "typo.duckdb"
    for argv in (["kpis"], ["query", "deal_summary"], ["loads"], ["undo", "1"]):
        assert cli.main([*argv, "--db", str(missing)]) == 2
        assert "There is no database at" in capsys.readouterr().err
    assert not missing.exists()


def test_sample_command_and_refusal_to_double(db_path, capsys):
    assert cli.main(["sample", "--scale", "0.02", "--db", str(db_path)]) == 0
    assert "40 accounts" in capsys.readouterr().out
    assert cli.main(["sample", "--scale", "0.02", "--db", str(db_path)]) == 2
    assert "already holds the sample" in capsys.readouterr().err


def test_console_script_runs(golden_db):
    result = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "kpis", "--db", str(golden_db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["deals_total"] == 7


def test_a_reader_that_leaves_early_gets_no_traceback(golden_db):
    """`crm-dashboard kpis | head -1`: the pipe closes before the JSON is written."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "kpis", "--db", str(golden_db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    proc.stdout.close()  # the reader is gone before the command prints
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0
    assert "Traceback" not in err and "BrokenPipe" not in err
