"""What a CRM's own values mean: Close writes amounts in cents; a deal status column is read with
the CRM's values (Copper's Abandoned is lost, Close's active is open) and words in six languages.

Fixtures: tests/ingest/real_exports/close/ and copper/ (see the README there). Every figure is
worked out by hand from the rows in a comment; the CLI is called as a user calls it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard import cli
from dashboard.ingest import loader
from dashboard.ingest.vendors import amount_scale, status_of_value

HERE = Path(__file__).parent / "real_exports"


def run(capsys, *argv: object) -> tuple[int, str]:
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out + out.err


def kpis_after_import(capsys, db: Path, path: Path) -> tuple[str, dict]:
    code, out = run(capsys, "import", path, "--db", db)
    assert code == 0, out
    code, got = run(capsys, "kpis", "--db", db)
    assert code == 0, got
    return out, json.loads(got)


def test_close_amounts_are_cents_divided_by_100(capsys, tmp_path):
    close = HERE / "close" / "opportunities.csv"
    out, got = kpis_after_import(capsys, tmp_path / "w.duckdb", close)
    assert "value: Close writes value in cents: divided by 100" in out
    # value in cents; status_type won: Wayne 5,000,000 + Hooli 1,999,999 cents
    # = $50,000 + $19,999.99 = $69,999.99 (read as written it would be 6,999,999).
    assert got["won_amount"] == pytest.approx(69999.99)
    # active: Stark 1,234,550 + Globex 250,000 cents = $12,345.50 + $2,500 = $14,845.50.
    assert got["pipeline_open_amount"] == pytest.approx(14845.50)


def test_close_status_type_decides_won_lost_open(capsys, tmp_path):
    _, got = kpis_after_import(capsys, tmp_path / "w.duckdb", HERE / "close" / "opportunities.csv")
    # status_type: won = Wayne ('Won'), Hooli ('Signed'); lost = Acme ('Lost'), Initech
    # ('No Decision', a label whose words say nothing); active = Stark, Globex -> open.
    assert (got["deals_won"], got["deals_lost"], got["deals_open"]) == (2, 2, 2)
    assert got["win_rate"] == pytest.approx(0.5)


def test_copper_abandoned_is_lost(capsys, tmp_path):
    _, got = kpis_after_import(capsys, tmp_path / "w.duckdb", HERE / "copper" / "opportunities.csv")
    # Status: Won (Website relaunch), Lost (Printer fleet), Abandoned (Scanner upgrade, its
    # stage still 'Qualified') -> lost; Open: Paper supply, Office chairs.
    assert (got["deals_won"], got["deals_lost"], got["deals_open"]) == (1, 2, 2)
    # Won $24,000; open $8,500 + $3,200 = $11,700 (the abandoned $5,000 is not pipeline).
    assert got["won_amount"] == pytest.approx(24000)
    assert got["pipeline_open_amount"] == pytest.approx(11700)


def test_only_close_and_only_its_value_columns_are_scaled():
    assert amount_scale("close", "value").divisor == 100
    assert amount_scale("close", "annualized_value").divisor == 100
    assert amount_scale("close", "expected_value").divisor == 100
    assert amount_scale("close", "value_formatted") is None  # "$500" is dollars
    assert amount_scale("copper", "Value") is None
    assert amount_scale("generic", "value") is None


@pytest.mark.parametrize(
    ("value", "vendor", "status"),
    [
        ("Abandoned", "copper", "lost"),
        ("active", "close", "open"),
        ("Gewonnen", "pipedrive", "won"),  # German Pipedrive export
        ("Verloren", "pipedrive", "lost"),
        ("Offen", "pipedrive", "open"),
        ("Ganado", "generic", "won"),
        ("Perdida", "generic", "lost"),
        ("Ganho", "generic", "won"),
        ("Выиграна", "bitrix24", "won"),
        ("Gagnée", "pipedrive", "won"),
        ("Frozen", "generic", None),
        ("Abandoned", "generic", None),  # only Copper's own value
    ],
)
def test_status_values_by_crm_then_words(value, vendor, status):
    assert status_of_value(value, vendor) == status


def test_a_status_column_in_german_is_read_and_unknown_values_leave_it_to_the_stage(con):
    # Pipedrive statuses as a German account writes them: Gewonnen / Verloren / Offen, and one
    # 'Pausiert' (says nothing) whose stage 'Won' decides.
    data = (
        b"Deal - ID,Deal - Title,Deal - Stage,Deal - Status,Deal - Value\n"
        b"1,A,Angebot,Gewonnen,100\n"
        b"2,B,Angebot,Verloren,200\n"
        b"3,C,Angebot,Offen,300\n"
        b"4,D,Won,Pausiert,400\n"
    )
    ins = loader.inspect(con, data, "deals.csv", table="deals", vendor="pipedrive")
    try:
        assert ins.mapping.source("status").columns == ("Deal - Status",)
        assert any("'Pausiert' says neither open, won nor lost" in n for n in ins.notes)
        relation = ins.conversion.accepted_relation()  # a temp view the importer names
        got = con.execute(f"select deal_id, status from {relation} order by 1").fetchall()  # noqa: S608
    finally:
        loader.close(con, ins)
    # The old pattern read 'Gewonnen' as open and 'Pausiert' as open over its won stage.
    assert got == [("1", "won"), ("2", "lost"), ("3", "open"), ("4", "won")]


def test_a_stage_whose_name_says_nothing_takes_its_deals_status_column(con):
    close = HERE / "close" / "opportunities.csv"
    ins = loader.inspect(con, close, close.name)
    try:
        frame = ins.conversion.stage_map.set_index("stage")
    finally:
        loader.close(con, ins)
    # 'Signed' (Hooli, status_type won) and 'No Decision' (Initech, lost) are no open stages of
    # the funnel; 'Demo Completed' and 'Proposal Sent' (active) are.
    assert frame.loc["Signed", ["status", "status_from"]].tolist() == ["won", "status column"]
    assert frame.loc["No Decision", ["status", "status_from"]].tolist() == [
        "lost",
        "status column",
    ]
    assert frame.loc["Demo Completed", "status"] == "open"
    assert frame.loc["Proposal Sent", "status"] == "open"
