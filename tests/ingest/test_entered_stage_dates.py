"""An "entered stage" date column whose every date reads both ways can be answered like any
other date column: --date-format COLUMN=month_first|day_first on the command line, the same
choice (date_families) from the import page's radio, and a remap keeps it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dashboard import cli
from dashboard.ingest import loader, remap

WON = 'Date entered "Won (Sales Pipeline)"'
# Not recognised as HubSpot (one pattern column, no other HubSpot header): nobody decides the
# order of its dates. Every day is 12 or less: 03/04/2024 is 3 April or 4 March.
GENERIC = (
    f'Deal ID,Stage,Amount,Created,"{WON.replace(chr(34), chr(34) * 2)}"\n'
    "D1,Won,100,2024-01-10,03/04/2024\n"
    "D2,Won,200,2024-01-15,05/06/2024\n"
    "D3,Proposal,300,2024-02-01,\n"
)
# Any column mapped as entered:<stage> by hand.
DEMO = "Deal ID,Stage,Amount,Demo date\nD1,Demo,100,01/02/2024\nD2,Demo,200,11/12/2024\n"


def run(capsys, *argv: object) -> tuple[int, str]:
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text
    return code, text


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture
def generic(tmp_path: Path) -> Path:
    path = tmp_path / "deals.csv"
    path.write_text(GENERIC, encoding="utf-8")
    return path


def test_an_undecided_entered_column_is_refused_then_answered(capsys, tmp_path, generic):
    db = tmp_path / "w.duckdb"
    code, out = run(capsys, "import", generic, "--db", db)
    assert code != 0 and f"--date-format '{WON}=month_first'" in out
    code, out = run(capsys, "import", generic, "--db", db, "--date-format", f"{WON}=day_first")
    assert code == 0, out
    # Day first: 03/04/2024 = 3 April, 05/06/2024 = 5 June; the won deals close the day they
    # entered Won.
    history = "select deal_id, stage, entered_at::date::varchar from deal_stage_history order by 1"
    assert rows(db, history) == [("D1", "Won", "2024-04-03"), ("D2", "Won", "2024-06-05")]
    closed = "select deal_id, closed_at::date::varchar from deals where status = 'won' order by 1"
    assert rows(db, closed) == [("D1", "2024-04-03"), ("D2", "2024-06-05")]


def test_a_hand_mapped_entered_column_is_answered_month_first(capsys, tmp_path):
    path = tmp_path / "demo.csv"
    path.write_text(DEMO, encoding="utf-8")
    db = tmp_path / "w.duckdb"
    common = ("import", path, "--db", db, "--table", "deals", "--map", "entered:Demo=Demo date")
    code, out = run(capsys, *common)
    assert code != 0 and "--date-format 'Demo date=month_first'" in out
    code, out = run(capsys, *common, "--date-format", "Demo date=month_first")
    assert code == 0, out
    # Month first: 01/02/2024 = 2 January, 11/12/2024 = 12 November.
    history = "select deal_id, entered_at::date::varchar from deal_stage_history order by 1"
    assert rows(db, history) == [("D1", "2024-01-02"), ("D2", "2024-11-12")]


def test_the_page_choice_decides_an_entered_column_and_a_remap_keeps_it(con, generic):
    """The import page's radio passes date_families to loader.inspect, as here."""
    ins = loader.inspect(con, generic, generic.name)
    try:
        assert ins.conversion.undecided == [WON]  # the radio is shown with no answer
    finally:
        loader.close(con, ins)
    ins = loader.inspect(con, generic, generic.name, date_families={WON: "month_first"})
    assert ins.conversion.undecided == [] and ins.conversion.date_orders == {WON: "month_first"}
    result = loader.commit(con, ins)
    loader.close(con, ins)
    # Month first: 03/04/2024 = 4 March, 05/06/2024 = 6 May.
    history = "select entered_at::date::varchar from deal_stage_history order by 1"
    assert con.execute(history).fetchall() == [("2024-03-04",), ("2024-05-06",)]
    # Remapped (amount unmapped): the recorded choice for the entered column is kept.
    again = remap.inspect(con, result.load_id, {"amount": ""})
    try:
        assert again.conversion.undecided == []
        assert again.conversion.date_orders == {WON: "month_first"}
    finally:
        loader.close(con, again)


def test_a_date_format_for_a_column_nobody_maps_is_still_refused(capsys, tmp_path, generic):
    code, out = run(
        capsys, "import", generic, "--db", tmp_path / "w.duckdb", "--date-format", "Nope=day_first"
    )
    assert code != 0 and "'Nope', which is not a mapped date column" in out
