"""A monday.com CRM Deals board exported to Excel: the board's name alone on the first row,
each group's name alone on a row followed by the column headers again, subitems under their
item behind a `Subitems, Name, ...` header, empty rows between groups. (The shape as the
importers of other tools read these files: a board-name row skipped, group rows, a `Name,
Subitems, ...` header row per group, subitem header rows.) The workbook is built here.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from dashboard import cli
from dashboard.ingest import boards

HEADER = [
    "Name", "Subitems", "Stage", "Owner", "Deal Value", "Accounts", "Expected Close Date",
    "Close Probability", "Actual Close Date", "Item ID",
]  # fmt: skip
ROWS = [
    ["Deals"],  # 1: the board's name
    ["Active deals"],  # 2: a group
    HEADER,  # 3
    ["Globex pilot", None, "Negotiation", "Omer Katz", 6000, "Globex", datetime(2024, 5, 31),
     "60%", None, 1402938472],  # 4
    ["Subitems", "Name", "Owner", "Status"],  # 5: the item's subitems
    [None, "Send contract", "Omer Katz", "Done"],  # 6
    ["Umbrella renewal", None, "Proposal", "Omer Katz", 22000, "Umbrella",
     datetime(2024, 6, 30), "40%", None, 1402938474],  # 7
    [],  # 8: between groups
    ["Closed"],  # 9: another group
    HEADER,  # 10: the headers again
    ["Acme expansion", None, "Won", "Dana Levi", 18000, "Acme", datetime(2024, 3, 31), "100%",
     datetime(2024, 3, 28), 1402938471],  # 11
    ["Initech seats", None, "Lost", "Dana Levi", 9500, "Initech", datetime(2024, 4, 30), "0%",
     datetime(2024, 4, 18), 1402938473],  # 12
    ["Hooli deal", None, "Won", "Dana Levi", "lots", "Hooli", None, "100%",
     datetime(2024, 4, 2), 1402938475],  # 13: an amount nobody can read
]  # fmt: skip


@pytest.fixture
def board(tmp_path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Deals"
    for row in ROWS:
        sheet.append(row)
    path = tmp_path / "Deals_1712345678.xlsx"
    book.save(path)
    return path


def run(capsys, *argv: object) -> tuple[int, str]:
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out + out.err


def test_the_board_is_folded_into_one_table(board):
    folded = boards.read_board(board, "Deals")
    assert folded is not None
    assert folded.headers == [*HEADER, "Group"]
    assert folded.title == "Deals" and folded.groups == ["Active deals", "Closed"]
    assert folded.subitems == 1
    names = folded.frame["c0"].tolist()
    assert names == ["Globex pilot", "Umbrella renewal", "Acme expansion", "Initech seats",
                     "Hooli deal"]  # fmt: skip
    assert folded.frame["c10"].tolist() == ["Active deals"] * 2 + ["Closed"] * 3
    # Every sheet line but the items' (4, 7, 11, 12, 13) is skipped; line 1 is the header's.
    assert folded.skipped_lines == [2, 3, 5, 6, 8, 9, 10]


def test_a_plain_sheet_is_not_a_board(tmp_path):
    book = Workbook()
    book.active.append(HEADER)
    book.active.append(ROWS[3])
    path = tmp_path / "plain.xlsx"
    book.save(path)
    assert boards.read_board(path, book.active.title) is None


def test_a_monday_board_export_imports_with_no_hint(capsys, tmp_path, board):
    db = tmp_path / "w.duckdb"
    code, out = run(capsys, "import", board, "--db", db)
    assert code == 0, out
    assert "monday.com CRM" in out and "read as a monday.com board export" in out
    # The unreadable amount is reported at the line Excel shows for it.
    assert "rejected: line 13, column 'Deal Value', value 'lots'" in out
    code, text = run(capsys, "kpis", "--db", db)
    got = json.loads(text)
    # Items: Globex (Negotiation), Umbrella (Proposal) open; Acme won; Initech lost; Hooli
    # rejected. The title, group and header rows and the subitem are no deals.
    assert (got["deals_total"], got["deals_won"], got["deals_lost"], got["deals_open"]) == (
        4,
        1,
        1,
        2,
    )
    # Won $18,000; open $6,000 + $22,000 = $28,000.
    assert got["won_amount"] == pytest.approx(18000)
    assert got["pipeline_open_amount"] == pytest.approx(28000)
