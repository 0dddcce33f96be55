"""Competitors: against whom do we win and lose, where, and why?"""

import streamlit as st

from dashboard.analytics.competitors import charts
from dashboard.analytics.competitors import data as competitors
from dashboard.core import periods
from dashboard.core.filters import Filters
from dashboard.ui import chart_clicks, page_state, session, widgets

CHART = {"width": "stretch", "config": {"displaylogo": False}}
filters = session.filters()
where = periods.describe(filters)
st.title("Competitors")
widgets.page_pdf("competitors")
st.caption(
    f"Deals closed (won or lost) in the period, placed by close date · {where}. "
    "Open deals never count toward a win rate."
)


view = session.cached(competitors.positioning, filters)
if empty := competitors.empty_state(view, filters):
    st.info(empty)
    st.stop()
widgets.tiles(competitors.tiles(view))
if warning := competitors.coverage_warning(view):
    st.warning(warning, icon=":material/warning:")
if view.named.empty:
    st.stop()
segments = session.cached(competitors.by_segment, filters)
st.markdown(competitors.headline(view, segments))
for note in view.notes:
    st.caption(f":material/info: {note}")
colors = charts.competitor_colors(session.cached(competitors.names, Filters()))
order = competitors.trend_choices(view)

st.subheader("Against each competitor")
shown = competitors.summary_page_table(competitors.summary_table(view))
widgets.table(
    shown,
    height=competitors.summary_height(len(shown)),
    widths=competitors.SUMMARY_WIDTHS,
    row_height=competitors.SUMMARY_ROW_HEIGHT,
)
st.caption(
    "A deal naming several competitors counts once for each of them, so the competitor rows "
    "add up to more than the closed deals; the last two rows count each deal once. "
    f"{competitors.PRICE_NOTE}"
)
widgets.download(view.table, "win_rate_by_competitor")
title = f"Where we meet each competitor and how we fare · {where}"
followed = order[: competitors.TREND_DEFAULT]  # until someone picks or clicks others
page_state.seed_list(page_state.COMPETITOR, order, followed)
st.plotly_chart(
    charts.positioning_map(view.table, colors, title, view.previous_label),
    key="comp_map",
    # A bubble clicked: the trend below (and the URL) follows that competitor.
    on_select=chart_clicks.on_pick("comp_map", "comp_trend_names", chart_clicks.named),
    selection_mode="points",
    **CHART,
)
st.caption(competitors.map_caption(view) + " Click a dot to follow that competitor below.")
st.subheader("Is it getting better?")
left, right = st.columns([3, 1])
chosen = left.multiselect("Competitors", order, key="comp_trend_names")
page_state.write_list(page_state.COMPETITOR, chosen, followed)
whole = right.toggle("Whole history", key="comp_trend_all", help="Ignore the period here.")
trend = session.cached(competitors.by_quarter, filters, whole_history=whole)
span = "all quarters" if whole else where
title = f"Win rate against each competitor by quarter closed · {span}"
st.plotly_chart(charts.trend_chart(trend, chosen, colors, title), **CHART)
widgets.download(trend, "win_rate_by_competitor_and_quarter")

st.subheader("Where each competitor is strongest")
title = (
    "Win rate by segment against each competitor, against our win rate with no competitor in "
    f"the same segment (▼ = where it is strongest)<br><sup>{where}</sup>"
)
st.plotly_chart(charts.segment_heatmap(segments, order, colors, title), **CHART)
st.caption(competitors.segment_caption())
widgets.download(segments, "win_rate_by_competitor_and_segment")

st.subheader("Why we lose")
reasons = competitors.lost_by_reason(view.reasons, view.no_data)  # positioning read the rows
title = f"Loss reasons by competitor: share of each one's lost deals · {where}"
st.plotly_chart(charts.loss_reason_heatmap(reasons, order, colors, title), **CHART)
widgets.download(reasons, "loss_reasons_by_competitor")
