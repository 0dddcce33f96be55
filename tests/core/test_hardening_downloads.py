"""Formula-safe CSV downloads: no text cell can run in a spreadsheet, numbers stay numbers, and
every download button in the app goes through safe_csv."""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.core.downloads import FORMULA_STARTS, PLAIN_NUMBER, safe_csv

ROOT = Path(__file__).resolve().parents[2]


def cells(data: bytes) -> list[list[str]]:
    """The CSV as a spreadsheet's importer sees it: rows of raw cell texts."""
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_every_formula_start_is_neutralised_in_text_object_and_category_columns():
    hostile = ["=1+1", "+cmd|' /C calc'!A0", "-2+3+cmd|'/C calc'!A0", "@SUM(A1)", "\t=1", "\r=1"]
    frame = pd.DataFrame(
        {
            "text": pd.Series(hostile, dtype="str"),
            "mixed": pd.Series([*hostile[:5], 7], dtype=object),
            "category": pd.Series(hostile, dtype="category"),
        }
    )
    rows = cells(safe_csv(frame))
    assert rows[0] == ["text", "mixed", "category"]
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS) or cell == "7", cell
    assert [r[0] for r in rows[1:]] == ["'" + h for h in hostile]
    assert rows[-1][1] == "7"  # an int in an object column is left alone


def test_negative_numbers_stay_numbers_whether_stored_as_numbers_or_text():
    frame = pd.DataFrame(
        {
            "amount": [-5.0, -0.5, 3.0],
            "count": pd.Series([-5, 0, 2], dtype="int64"),
            "as_text": ["-5", "+3.5", "-1e3"],
            "not_numbers": ["-5+1", "-A1", "- 5"],
        }
    )
    rows = cells(safe_csv(frame))
    assert [r[0] for r in rows[1:]] == ["-5.0", "-0.5", "3.0"]
    assert [r[1] for r in rows[1:]] == ["-5", "0", "2"]
    assert [r[2] for r in rows[1:]] == ["-5", "+3.5", "-1e3"]  # a spreadsheet reads numbers
    assert [r[3] for r in rows[1:]] == ["'-5+1", "'-A1", "'- 5"]
    back = pd.read_csv(io.BytesIO(safe_csv(frame)), encoding="utf-8-sig")
    assert back["amount"].tolist() == [-5.0, -0.5, 3.0]
    assert back["as_text"].tolist() == [-5.0, 3.5, -1000.0]


def test_header_cells_are_neutralised():
    rows = cells(safe_csv(pd.DataFrame({"=HYPERLINK(1)": [1], "@x": [2], "ok": [3]})))
    assert rows[0] == ["'=HYPERLINK(1)", "'@x", "ok"]


def test_line_breaks_inside_a_cell_cannot_start_a_new_formula_row():
    rows = cells(safe_csv(pd.DataFrame({"note": ["fine\r\n=1+1", "a\n@b"], "n": [1, 2]})))
    assert rows[1:] == [["fine\r\n=1+1", "1"], ["a\n@b", "2"]]  # quoted: still one cell


@given(st.lists(st.text(max_size=30), min_size=1, max_size=8))
@settings(deadline=None)  # no timing assertion: the machine is shared and its speed varies
def test_no_text_cell_ever_starts_like_a_formula(values):
    rows = cells(safe_csv(pd.DataFrame({"v": pd.Series(values, dtype=object)})))
    for (cell,) in rows[1:]:
        assert not cell.startswith(FORMULA_STARTS) or PLAIN_NUMBER.fullmatch(cell), cell


def _download_calls(path: Path) -> list[ast.Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "download_button"
    ]


def _data_argument(call: ast.Call) -> ast.expr | None:
    if len(call.args) >= 2:
        return call.args[1]
    return next((k.value for k in call.keywords if k.arg == "data"), None)


def test_every_download_button_in_the_app_uses_safe_csv():
    sources = sorted([*ROOT.glob("dashboard/**/*.py"), *ROOT.glob("pages/*.py")])
    found = 0
    for path in sources:
        for call in _download_calls(path):
            found += 1
            mime = next((k.value for k in call.keywords if k.arg == "mime"), None)
            if isinstance(mime, ast.Constant) and mime.value == "application/pdf":
                continue  # a page's PDF (digest/page.py): no cells a spreadsheet would run
            data = _data_argument(call)
            if isinstance(data, ast.Call) and getattr(data.func, "id", None) == "partial":
                data = ast.Call(func=data.args[0], args=data.args[1:], keywords=[])  # deferred
            assert (
                isinstance(data, ast.Call)
                and isinstance(data.func, ast.Attribute | ast.Name)
                and getattr(data.func, "attr", getattr(data.func, "id", None)) == "safe_csv"
            ), f"{path.relative_to(ROOT)}:{call.lineno} offers a download not made by safe_csv"
    assert found >= 2  # widgets.download (under every chart) and the import page's rejects
