"""Click a chart to filter: a segment, region or month clicked in a chart becomes the sidebar
filter, and so the URL (the funnel's bar click selecting a stage works the same way).

The chart's on_select is a callback (`on_click`): Streamlit runs it before the page's next
run, so it can park the wanted filter for the sidebar (`apply_pending`, before its widgets are
drawn: a widget's value cannot change once it is drawn in a run) without an st.rerun(), which
races with the URL update (streamlit#7961: the address bar kept the old filters).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

PENDING = "chart_click_pending"
SIDEBAR_KEYS = {"segment": "f_segments", "region": "f_regions", "owner": "f_owners"}


def _first_point(chart_key: str) -> dict | None:
    event = st.session_state.get(chart_key)
    points = event["selection"]["points"] if event else []
    return points[0] if points else None


def on_click(chart_key: str, dimension: str, pick: Callable[[dict], object]) -> Callable[[], None]:
    """The on_select callback of chart `chart_key`: the clicked point's value (`pick`)
    becomes the filter `dimension` (segment, region, owner or month) on this run."""

    def clicked() -> None:
        point = _first_point(chart_key)
        value = pick(point) if point else None
        if value is not None:
            st.session_state[PENDING] = (dimension, value)

    return clicked


def on_pick(chart_key: str, widget: str, pick: Callable[[dict], object]) -> Callable[[], None]:
    """The on_select callback for a page's own chooser (a multiselect): the clicked value alone."""

    def clicked() -> None:
        point = _first_point(chart_key)
        value = pick(point) if point else None
        if value is not None:
            st.session_state[widget] = [value]

    return clicked


def x_month(point: dict) -> date | None:
    """The month a clicked x value falls in (Plotly sends dates as text), else None."""
    try:
        stamp = pd.Timestamp(str(point.get("x")))
    except (ValueError, TypeError):
        return None
    return None if pd.isna(stamp) else stamp.date().replace(day=1)


def y_value(point: dict) -> object:
    return point.get("y")


def named(point: dict) -> object:
    """The name a chart put second in its customdata ([hover, name])."""
    data = point.get("customdata")
    return data[1] if isinstance(data, list | tuple) and len(data) > 1 else None


def month_range(month: date, first: date, as_of: date) -> tuple[date, date]:
    """The calendar month, within the data's first and last day."""
    end = (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()
    return max(month, first), min(end, as_of)


def apply_pending(options: dict[str, list[str]], first: date, as_of: date) -> None:
    """Before the sidebar draws: the clicked value becomes its filter, if the sidebar offers it."""
    pending = st.session_state.pop(PENDING, None)
    if pending is None:
        return
    dimension, value = pending
    if dimension == "month" and isinstance(value, date):
        st.session_state["f_preset"] = "Custom range"
        st.session_state["f_range"] = month_range(value, first, as_of)
    elif dimension in SIDEBAR_KEYS and value in options.get(dimension, []):
        st.session_state[SIDEBAR_KEYS[dimension]] = [value]
