"""Satisfaction: how customers feel, whether it moved beyond noise, for whom, in their words."""

import streamlit as st

from dashboard.analytics.satisfaction import charts
from dashboard.analytics.satisfaction import data as satisfaction
from dashboard.analytics.satisfaction.data import SURVEYS
from dashboard.core import empty, periods
from dashboard.core.periods import GRAINS
from dashboard.ui import chart_clicks, page_state, session, widgets

CHART = {"width": "stretch", "config": {"displaylogo": False}}
filters = session.filters()
where = periods.describe(filters)
st.title("Satisfaction")
widgets.page_pdf("satisfaction")


left, middle, right, far = st.columns(4)
minimum = right.number_input(
    "Minimum answers per point",
    min_value=1,
    max_value=10_000,
    value=satisfaction.MIN_RESPONSES,
    step=10,
    key="sat_min",
    help="A period or group with fewer answers is greyed out and never read as a trend.",
)
# The headline's rows also say which measure has answers: a shared link's measure, else the
# first with answers (CSAT when only CSAT was loaded); one query, not two (issue 18).
headline = session.cached(satisfaction.headline, filters, min_responses=minimum)
page_state.seed(page_state.MEASURE, page_state.one_of(SURVEYS), headline.opening)
kind = left.segmented_control(
    "Measure", list(SURVEYS), format_func=SURVEYS.get, key="sat_measure"
) or headline.opening  # fmt: skip
page_state.write(page_state.MEASURE, kind)
grain = middle.selectbox("Trend by", list(GRAINS), format_func=GRAINS.get, key="sat_grain")
rolling = far.selectbox(
    "Rolling average",
    satisfaction.ROLLING,
    format_func=lambda k: satisfaction.period_words(grain, k),
    key="sat_rolling",
)
st.caption(f"{satisfaction.DEFINITIONS[kind]} {satisfaction.scope_note(grain, minimum, rolling)}")

gaps = session.cached(satisfaction.no_data, filters)
widgets.tiles(headline.tiles, per_row=3)
widgets.notes(headline.notes)

view = session.cached(
    satisfaction.trend, filters, grain=grain, min_responses=minimum, rolling=rolling
)
points = view.points[view.points["survey_type"] == kind]
if not points["responses"].sum():
    st.info(
        gaps.get("satisfaction")
        or empty.nothing(
            f"{SURVEYS[kind]} answers with a date",
            filters,
            "Answers come from a survey export (a score and a date per answer).",
        )
    )
else:
    title = f"{SURVEYS[kind]} by {grain} · {where}"
    trend = dict(grain=grain, min_responses=minimum, rolling=rolling, title=title)
    st.plotly_chart(charts.trend_chart(view.points, kind, **trend), **CHART)
    st.subheader("Changes that matter")
    if headline.compared[kind]:
        st.markdown(f"- {headline.compared[kind]}")
    else:
        st.caption("Pick a period in the sidebar to compare it with the period before.")
    said = view.changes[kind]
    for text in said[:6]:
        st.markdown(f"- {text}")
    if len(said) > 6:
        st.caption(f"…and {len(said) - 6} earlier changes beyond noise.")
    if not said:
        st.caption(
            f"No move between consecutive {grain}s with {minimum}+ answers is larger than its "
            f"margin of error: the ups and downs of {SURVEYS[kind]} here are within noise."
        )
    if kind == "nps":
        title = f"Promoters, passives and detractors by {grain} · {where}"
        shares = dict(grain=grain, min_responses=minimum, title=title)
        st.plotly_chart(charts.shares_chart(view.points, **shares), **CHART)
    widgets.download(points, f"{kind}_by_{grain}")

st.subheader("For whom")
dimension = st.segmented_control(
    "Break down by",
    list(satisfaction.DIMENSIONS),
    format_func=satisfaction.DIMENSIONS.get,
    default="segment",
    key="sat_dimension",
) or "segment"  # fmt: skip
split = session.cached(satisfaction.breakdown, filters, dimension=dimension, min_responses=minimum)
groups = split.groups[split.groups["survey_type"] == kind]
if groups.empty:
    st.info(gaps.get("satisfaction") or empty.nothing(f"{SURVEYS[kind]} answers", filters))
else:
    label = satisfaction.DIMENSIONS[dimension]
    title = f"{SURVEYS[kind]} by {label.lower()} · {where}"
    figure = charts.breakdown_chart(
        split.groups,
        kind,
        dimension_label=label,
        min_responses=minimum,
        compared_with=split.compared_with,
        title=title,
    )
    key = f"sat_breakdown_{dimension}"
    clicked = chart_clicks.on_click(key, dimension, chart_clicks.named)  # bar -> its filter
    clickable = dimension in chart_clicks.SIDEBAR_KEYS  # channel is no sidebar filter
    st.plotly_chart(
        figure, key=key, on_select=clicked if clickable else "ignore", selection_mode="points",
        **CHART,
    )  # fmt: skip
    for text in split.moved[kind]:
        st.markdown(f"- {text}")
    if split.compared_with and not split.moved[kind]:
        st.caption(f"No {label.lower()} moved beyond noise since {split.compared_with}.")
    widgets.download(groups, f"{kind}_by_{dimension}")

st.subheader("Satisfaction and buying again")
window = st.columns(3)[0].selectbox(
    "Order placed within",
    satisfaction.WINDOWS,
    index=satisfaction.WINDOWS.index(satisfaction.DEFAULT_WINDOW),
    format_func=lambda d: f"{d} days after answering",
    key="sat_window",
)
acted = session.cached(satisfaction.behaviour, filters, window_days=window, min_responses=minimum)
if acted.groups[acted.groups["survey_type"] == kind].empty:
    st.info(
        gaps.get("satisfaction_behaviour")
        or "No answers can be followed to orders here: answers need an account id, and orders "
        "a date and the same account id."
    )
else:
    left, right = st.columns(2)
    title = f"{SURVEYS[kind]} and orders in the next {window} days<br><sup>{where}</sup>"
    labels = satisfaction.outcome_labels(window)
    left.plotly_chart(
        charts.behaviour_chart(acted.groups, kind, labels=labels, title=title), **CHART
    )
    right.markdown(acted.gap[kind])
    for text in satisfaction.reorder_words(acted, kind):
        right.markdown(f"- {text}")
    right.caption(satisfaction.behaviour_note(acted, kind))

st.subheader("What customers said")
left, right = st.columns([1, 3])
survey = left.selectbox(
    "Survey",
    ["", *SURVEYS],
    format_func=lambda k: SURVEYS.get(k, "All surveys"),
    key="sat_verbatim_survey",
)
search = right.text_input(
    "Comment contains", key="sat_search", max_chars=satisfaction.MAX_SEARCH_LENGTH
)
said = session.cached(satisfaction.verbatims, filters, survey_type=survey, search=search)
if said.table.empty:
    looked = f' containing "{search.strip()}"' if search.strip() else ""
    st.info(gaps.get("verbatims") or empty.nothing(f"comments{looked}", filters))
else:
    shown = len(said.table)
    st.caption(
        f"{satisfaction.count_of(said.matching, 'comment')} · {where}"
        + (f" · showing the {shown:,} newest" if shown < said.matching else "")
    )
    widgets.table(said.table, height=min(420, 35 * (shown + 1) + 3))
    widgets.download(said.table, "comments")
