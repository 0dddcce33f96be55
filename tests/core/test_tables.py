"""Tables for people (issue 19 point 7): headers, "—", numbers by the one formatter."""

import pandas as pd

from dashboard.core import tables


def shown(styler) -> list[list[str]]:
    """The display text of every cell, as the page draws it."""
    body = styler._translate(False, False)["body"]  # noqa: SLF001 - what st.dataframe reads
    return [[cell["display_value"] for cell in row[1:]] for row in body]


def test_headers_are_words_not_snake_case():
    assert tables.header("event_at") == "When"
    assert tables.header("loss_reason") == "Loss reason"
    assert tables.header("won_amount_usd") == "Won amount (USD)"
    assert tables.header("floor (0 points)") == "Floor (0 points)"


def test_cells_are_written_for_people_and_missing_is_a_dash():
    # The health timeline before: "None" in cells, 42674.94 and 375314 unformatted.
    frame = pd.DataFrame(
        {
            "event_at": pd.to_datetime(["2026-10-31 01:26:13", "2026-10-27 05:41:01"]),
            "kind": ["touch", None],
            "amount": [None, 42674.94],
            "rows_loaded": [375314, 3],
        }
    )
    styled = tables.for_people(frame)
    assert list(styled.data.columns) == ["When", "What", "Amount (USD)", "Rows loaded"]
    assert shown(styled) == [
        ["31 Oct 2026 01:26", "touch", "—", "375,314"],
        ["27 Oct 2026 05:41", "—", "$42.7K", "3"],
    ]
    # A complete numeric column keeps its numbers, so it still sorts by value; one with gaps
    # holds its text, since Streamlit's grid draws a null as "None" whatever the Styler says.
    assert styled.data["Rows loaded"].tolist() == [375314, 3]
    assert styled.data["Amount (USD)"].tolist() == ["—", "$42.7K"]
    assert not styled.data.isna().any().any()


def test_long_sentences_are_found_so_they_wrap():
    frame = pd.DataFrame({"metric": ["a"], "what_it_counts": ["x" * 80]})
    assert tables.long_text_columns(frame) == ["What it counts"]


def test_python_dates_are_written_as_dates_not_iso_text():
    # The funnel's drop-off list and the satisfaction answers hold `.dt.date` values (object
    # dtype): before, the grid drew them as "2025-04-01".
    import datetime as dt

    frame = pd.DataFrame({"created": [dt.date(2025, 4, 1), None], "name": ["a", "b"]})
    assert tables.kind_of("created", frame["created"]) == "date"
    assert shown(tables.for_people(frame)) == [["1 Apr 2025", "a"], ["—", "b"]]
    assert tables.kind_of("name", frame["name"]) == "text"
