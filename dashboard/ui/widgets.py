"""Page pieces every page draws the same way: KPI tiles and the CSV download under a table."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from dashboard.core import downloads, filenames, tables
from dashboard.core.filters import Filters
from dashboard.core.theme import COLORS
from dashboard.core.tiles import Tile, delta_shown
from dashboard.ui import page_pdf as pdf


def tiles(cards: Sequence[Tile], per_row: int = 4) -> None:
    """Metric cards with their change (green when it is good news, grey when there is none or
    it is within noise) and what they count."""
    for start in range(0, len(cards), per_row):
        row = cards[start : start + per_row]
        for column, tile in zip(st.columns(per_row), row, strict=False):
            text, colour, arrow = delta_shown(tile)
            # "2.3% · within noise (±12.0%)": the grey pill says "2.3%", the caption under the
            # tile "Within noise (±12.0%)" (in the pill, or beside it, a narrow tile cut it to
            # "2.3% · within noi…").
            text, _, verdict = (text or "").partition(" · ")
            column.metric(
                tile.label,
                tile.value,
                text or None,
                help=tile.help,
                border=True,
                delta_color=colour,
                delta_arrow=arrow,
            )
            column.caption(f"{verdict[:1].upper()}{verdict[1:]} · {tile.caption}" if verdict
                           else tile.caption)  # fmt: skip


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


def page_pdf(page: str) -> None:
    """The "Download this page (PDF)" button (ui/page_pdf.py): one line on each page."""
    pdf.button(page)


def table(
    frame: pd.DataFrame,
    kinds: dict[str, str] | None = None,
    height: int | str = "auto",
    where=st,
    wrap: bool = False,
    restyle: Callable[[Styler], Styler] | None = None,
    pin: Sequence[str] = (),
    widths: Mapping[str, tuple[int, str | None]] | None = None,
    row_height: int | None = None,
    select_key: str | None = None,
) -> object | None:
    """A table as people read it (see core/tables.py): human headers, "—" for missing, money
    and counts by the one formatter, full width. With `wrap`, a short table of sentences
    ("what it counts") is drawn static so they wrap instead of being cut at 1440 px; otherwise
    long text columns are held to a medium width (full text on hover) so that the columns
    after them stay on screen. `restyle` adds the page's own styles (undone loads struck
    through) to the table as people read it. `pin` names columns kept on screen while a wide
    grid scrolls sideways (the drop-off list's deal). `widths` holds columns to a width in
    pixels with an optional help tooltip (header -> (pixels, help)), so a long list fits the
    page instead of scrolling sideways. `row_height` above 64 px lets long cells wrap onto
    more lines (Streamlit wraps text only in rows taller than 4rem) instead of ending in "…".
    `select_key` makes one row selectable and returns the selection event (else None)."""
    styled = tables.for_people(frame, kinds)
    if restyle is not None:
        styled = restyle(styled)
    long = tables.long_text_columns(frame)
    if wrap and len(frame) <= 30:
        where.table(styled.hide(axis="index"))
        return
    config = {name: st.column_config.TextColumn(width="medium") for name in long}
    sized = {tables.header(name): size for name, size in (widths or {}).items()}
    pinned = {tables.header(name) for name in pin}
    for name in {*sized, *pinned}:
        px, tip = sized.get(name, (None, None))
        config[name] = st.column_config.Column(width=px, help=tip, pinned=name in pinned or None)
    selection = (
        {"key": select_key, "on_select": "rerun", "selection_mode": "single-row"}
        if select_key
        else {}
    )
    event = where.dataframe(
        styled,
        hide_index=True,
        width="stretch",
        height=height,
        column_config=config,
        row_height=row_height,
        **selection,
    )
    return event if select_key else None


def confidence_column(label: str = "Confidence") -> object:
    """A 0–1 confidence as a bar in the neutral blue: the default (primary red) read as an
    alarm at 100%."""
    return st.column_config.ProgressColumn(
        label, min_value=0.0, max_value=1.0, format="percent", color=COLORS["open"]
    )


def _filters() -> Filters:
    """The filters the sidebar left for this run (what the table behind a download holds)."""
    return st.session_state.get("filters", Filters())
