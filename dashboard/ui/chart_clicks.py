"""Click a chart to filter: a segment, region or month clicked in a chart becomes the sidebar
filter, and so the URL (the funnel's bar click selecting a stage works the same way).

A click reruns the page with the chart's selection; `new_click` hands each selection over once
(the selection stays in the widget's state on later runs), `request` parks the wanted filter
and reruns, and the sidebar applies it before it draws its widgets (`apply_pending`): a
widget's value cannot be changed once the widget is drawn in a run.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

PENDING = "chart_click_pending"
SIDEBAR_KEYS = {"segment": "f_segments", "region": "f_regions", "owner": "f_owners"}


def new_click(chart_key: str, points: list[dict]) -> dict | None:
    """The first clicked point of a selection not handed over before; None otherwise."""
    seen = f"{chart_key}__handled"
    current = repr(points) if points else None
    if current == st.session_state.get(seen):
        return None
    st.session_state[seen] = current
    return points[0] if points else None


def request(dimension: str, value: object) -> None:
    """Ask for the filter `dimension` = value (segment, region, owner or month) and rerun."""
    st.session_state[PENDING] = (dimension, value)
    st.rerun()


def month_of(raw: object) -> date | None:
    """The month a clicked x value falls in (Plotly sends dates as text), else None."""
    try:
        stamp = pd.Timestamp(str(raw))
    except (ValueError, TypeError):
        return None
    return None if pd.isna(stamp) else stamp.date().replace(day=1)


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
