import io

import pandas as pd

from dashboard.core.downloads import safe_csv


def test_formula_cells_are_neutralised_and_numbers_kept():
    frame = pd.DataFrame(
        {
            "account": ['=HYPERLINK("http://x")', "+1", "-cmd", "@SUM(A1)", "\tx", "\rx", "Acme"],
            "amount": [-5.0, 1, 2, 3, 4, 5, 6],
        }
    )
    text = safe_csv(frame).decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(text, newline=""))
    assert back["account"].tolist() == [
        '\'=HYPERLINK("http://x")',
        "+1",  # only a signed number: a spreadsheet reads 1, nothing runs
        "'-cmd",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "Acme",
    ]
    assert back["amount"].tolist() == [-5.0, 1, 2, 3, 4, 5, 6]


def test_header_cells_are_neutralised_too():
    text = safe_csv(pd.DataFrame({"=evil": [1]})).decode("utf-8-sig")
    assert text.split("\r\n")[0] == "'=evil"
