"""Retention cohorts: do the customers we win keep buying?"""

import streamlit as st

from dashboard.analytics.retention import charts
from dashboard.analytics.retention import data as retention
from dashboard.core import empty
from dashboard.ui import session, widgets

filters = session.filters()
st.title("Retention cohorts")
widgets.page_pdf("retention")
grain, basis, unbounded, measure = (
    column.selectbox(label, list(choices), format_func=choices.get, key=key)
    for column, (label, choices, key) in zip(st.columns(4), retention.PAGE_OPTIONS, strict=True)
)
st.caption(retention.scope_note(grain, basis, unbounded))

period = session.cached(retention.period_retention, filters)
widgets.tiles(period.tiles, per_row=3)
st.caption(f":material/info: {period.note}")

if why := retention.empty_state(session.cached(retention.no_data, filters), measure):
    st.info(why)
    st.stop()
view = session.cached(retention.cohorts, filters, grain=grain, basis=basis, unbounded=unbounded)
if view.cells.empty:
    st.info(
        empty.nothing(
            f"customer's {retention.BASES[basis]} falls",
            filters,
            "With no cohort there is nothing to follow: orders need a date and a customer id "
            "(won deals a close date) to start a cohort.",
        )
    )
    st.stop()
for note in view.notes:
    st.caption(f":material/info: {note}")
options = dict(measure=measure, grain=grain, basis=basis)
triangle = retention.chart_title("of", view, measure, filters)
st.plotly_chart(
    charts.cohort_heatmap(view.cells, view.average, title=triangle, **options),
    width="stretch",
    config={"displaylogo": False},
)
widgets.download(view.cells, f"retention_{grain}_cohorts")
split = st.toggle("One curve per segment", key="ret_split")
curves = retention.chart_title("curves of", view, measure, filters)
figure = (
    charts.segment_curves(view.by_segment, view.average, title=curves, **options)
    if split
    else charts.cohort_curves(view.cells, view.average, title=curves, **options)
)
st.plotly_chart(figure, width="stretch", config={"displaylogo": False})
widgets.download(view.by_segment if split else view.average, f"retention_{grain}_curves")
