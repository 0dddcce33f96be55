"""Overview: headline KPIs with change vs the previous period, and the monthly trend."""

import streamlit as st

from dashboard import charts, downloads, measures, overview, session

filters = session.filters()
st.title("Overview")
st.caption(f"{overview.describe(filters)} · change vs the previous period of equal length")

summary = session.cached(overview.kpi_summary, filters)
for row in (summary.tiles[:4], summary.tiles[4:]):
    for column, tile in zip(st.columns(4), row, strict=False):
        column.metric(
            tile.label,
            tile.value,
            tile.delta,
            help=tile.help,
            border=True,
            delta_color="normal" if tile.higher_is_better else "inverse",
        )
        column.caption(tile.caption)
for note in summary.notes:
    st.caption(f":material/info: {note}")

trend = session.cached(measures.closed_deals_by_month, filters)
if trend.empty:
    st.info(
        "No deals were closed in this period for these filters. Widen the period or clear "
        "a filter; deals need a close date to appear here."
    )
else:
    title = f"Won amount and win rate by month · {overview.describe(filters)}"
    st.plotly_chart(
        charts.won_trend_chart(trend, title), width="stretch", config={"displaylogo": False}
    )
    st.download_button(
        "Download this table (CSV)",
        downloads.safe_csv(trend),
        file_name="won_amount_and_win_rate_by_month.csv",
        mime="text/csv",
        icon=":material/download:",
    )
