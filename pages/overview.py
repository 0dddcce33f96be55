"""Overview: headline KPIs with change vs the previous period, and the monthly trend."""

import streamlit as st

from dashboard.analytics.overview import charts
from dashboard.analytics.overview import data as overview
from dashboard.core import empty, measures, periods
from dashboard.ui import changes_panel, chart_clicks, session, widgets

filters = session.filters()
st.title("Overview")
widgets.page_pdf("overview")
st.caption(f"{periods.describe(filters)} · change vs the previous period of equal length")
changes_panel.render()  # one collapsed line: what the latest load changed

summary = session.cached(overview.kpi_summary, filters)
widgets.tiles(summary.tiles)
widgets.notes(summary.notes)

trend = session.cached(measures.closed_deals_by_month, filters)
if trend.empty:
    st.info(empty.nothing("deals were closed", filters, "Deals need a close date to appear here."))
else:
    title = overview.trend_title(trend, periods.describe(filters))
    st.plotly_chart(
        charts.won_trend_chart(trend, title),
        width="stretch",
        config={"displaylogo": False},
        key="overview_trend",
        # A month clicked: the period becomes that month (sidebar and URL).
        on_select=chart_clicks.on_click("overview_trend", "month", chart_clicks.x_month),
        selection_mode="points",
    )
    widgets.download(trend, "won_amount_and_win_rate_by_month")
