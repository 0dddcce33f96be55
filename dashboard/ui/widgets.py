"""Page pieces every page draws the same way: KPI tiles and the CSV download under a table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import pandas as pd
import streamlit as st

from dashboard.core import downloads, filenames
from dashboard.core.filters import Filters
from dashboard.core.tiles import Tile


def tiles(cards: Sequence[Tile], per_row: int = 4) -> None:
    """Metric cards with their change (green when it is good news) and what they count."""
    for start in range(0, len(cards), per_row):
        row = cards[start : start + per_row]
        for column, tile in zip(st.columns(per_row), row, strict=False):
            column.metric(
                tile.label,
                tile.value,
                tile.delta,
                help=tile.help,
                border=True,
                delta_color="normal" if tile.higher_is_better else "inverse",
            )
            column.caption(tile.caption)


def notes(lines: Sequence[str]) -> None:
    for line in lines:
        st.caption(f":material/info: {line}")


def download(frame: pd.DataFrame | Callable[[], pd.DataFrame], name: str) -> None:
    """The table behind a chart, as a formula-safe CSV named for what it holds. The CSV is
    made when the button is clicked, not on every rerun (a 90k-row drop-off list took 4.6 s);
    a function in place of the frame is called then too (the full list behind a shown page)."""
    st.download_button(
        "Download this table (CSV)",
        partial(downloads.safe_csv, frame),
        file_name=filenames.csv_name(st.session_state.get("page_title", ""), name, _filters()),
        mime="text/csv",
        icon=":material/download:",
        key=f"download_{name}",
    )


def _filters() -> Filters:
    """The filters the sidebar left for this run (what the table behind a download holds)."""
    return st.session_state.get("filters", Filters())
