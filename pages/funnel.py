"""Funnel: where deals leak (click a bar for the deals), for whom, and whether it improves."""

import streamlit as st

from dashboard.analytics.funnel import charts
from dashboard.analytics.funnel import data as funnel
from dashboard.core import empty, periods
from dashboard.ui import page_state, session, widgets

CHART = {"width": "stretch", "config": {"displaylogo": False}}
filters = session.filters()
where = periods.describe(filters)
sub = f"<br><sup>{where}</sup>"  # the filters under a half-width chart's title
st.title("Funnel")
widgets.page_pdf("funnel")
view = st.segmented_control(
    "View", ["Deal pipeline", "Customer lifecycle"], default="Deal pipeline", key="funnel_view"
)


def lifecycle_view() -> None:
    st.caption(f"Accounts identified (created) in the period, followed to today · {where}")
    steps = session.cached(funnel.lifecycle, filters)
    if not steps["count_reached"].iloc[0]:
        st.info(empty.nothing("accounts were created", filters))
        return
    title = f"Customer lifecycle · {where}"
    st.plotly_chart(charts.funnel_chart(steps, title, unit="accounts"), **CHART)
    st.caption(
        "Engaged = any activity · Opportunity = any deal · Customer = a won deal or an order · "
        "Repeat buyer = 2+ orders or 2+ won deals · Promoter = a repeat buyer who answered NPS "
        "9–10. A later step implies the earlier ones (a customer with no recorded deal counts "
        f"as an opportunity). {funnel.lifecycle_note(steps)}"
    )
    widgets.download(steps, "customer_lifecycle")


def pipeline_view() -> None:
    picker = session.cached(funnel.pipeline_picker, filters)  # one query: options, unplaced
    options = picker.options
    if options.empty:
        st.info(
            "No pipeline stages are loaded, so deals cannot be placed in a funnel. Load the "
            "pipeline_stages table (pipeline, stage, stage_order, status) with your deals."
        )
        return
    left, right = st.columns(2)
    pipeline = left.selectbox(
        "Pipeline",
        options["pipeline"].tolist(),
        format_func=lambda p: funnel.describe_pipeline(options, p),
        key="funnel_pipeline",
    )
    window = right.selectbox(
        "Conversion window",
        funnel.WINDOWS,
        format_func=funnel.describe_window,
        key="funnel_window",
        help="Count a stage only if the deal entered it within this many days of creation, "
        "so recent and older months compare fairly.",
    )
    window = window or None  # 0 = no window
    # The steps and the monthly trend below from one query (issue 18).
    views = session.cached(funnel.steps_and_trend, filters, pipeline=pipeline, window_days=window)
    steps = views.steps
    gaps = session.cached(funnel.no_data, filters)
    if steps.empty:
        st.info(funnel.funnel_empty(pipeline, filters, gaps))
        return
    st.caption(funnel.headline(steps, where, window))
    if why := gaps.get("funnel_amount"):
        st.caption(f":material/info: {why}")
    if unplaced := picker.unplaced:
        st.caption(
            f":material/info: {funnel.count_of(unplaced)} in no pipeline with "
            "a stage order and are in no funnel; load their pipeline_stages to include them."
        )
    title = f"{pipeline} funnel · deals created · {where}"
    event = st.plotly_chart(
        charts.funnel_chart(steps, title),
        key="funnel_chart",
        on_select="rerun",
        selection_mode="points",
        **CHART,
    )
    if unknown := funnel.stop_unknown_words(steps):  # under the chart whose conversions it hides
        st.caption(f":material/info: {unknown}")
    st.subheader("Where deals stop")
    show_dropoff(steps, pipeline, window, event.selection.points)
    with st.expander("The funnel as a table"):
        widgets.table(funnel.funnel_table(steps))
        widgets.download(steps, "funnel_by_stage")
    st.subheader("For whom")
    show_breakdown(pipeline, window)
    st.subheader("How long")
    deals = funnel.subset_words(pipeline)  # which deals each chart below covers
    sub = f"<br><sup>{deals} · {where}</sup>"
    left, right = st.columns(2)
    stay = session.cached(funnel.time_in_stage, filters, pipeline=pipeline)
    if why := funnel.time_in_stage_empty(stay, gaps, filters, pipeline):
        left.info(why)
    else:
        left.plotly_chart(charts.time_in_stage_chart(stay, f"Days in each stage{sub}"), **CHART)
    cycle = session.cached(funnel.sales_cycle, filters, pipeline=pipeline)
    if why := funnel.sales_cycle_empty(cycle, gaps, filters, pipeline):
        right.info(why)
    else:
        won = funnel.count_of(len(cycle.cycles))
        closed = " (closed) in the period" if filters.has_period else ""
        title = f"Sales cycle of {won} won{closed}{sub}"
        chart = charts.sales_cycle_chart(cycle.cycles, cycle.median_days, cycle.p75_days, title)
        right.plotly_chart(chart, **CHART)
    show_trend(views, pipeline, window, gaps)


def show_dropoff(steps, pipeline: str, window, points: list) -> None:
    choices = funnel.dropoff_choices(steps)
    if not choices:  # a pipeline with only a won stage: nobody stops anywhere
        return
    clicked = funnel.clicked_step(steps, points)
    if clicked is not None and clicked != st.session_state.get("funnel_clicked"):
        st.session_state["funnel_dropoff_step"] = clicked  # a new click moves the picker
    st.session_state["funnel_clicked"] = clicked
    page_state.seed(page_state.STAGE, page_state.positive_int, None)  # a shared link's stage
    if st.session_state.get("funnel_dropoff_step") not in choices:
        st.session_state["funnel_dropoff_step"] = funnel.default_dropoff_step(steps)
    step = st.selectbox(
        "Deals that went no further than (or click a bar)",
        list(choices),
        format_func=choices.get,
        key="funnel_dropoff_step",
    )
    page_state.write(page_state.STAGE, step)
    options = {"pipeline": pipeline, "step_number": step, "window_days": window}
    # The browser gets a page of the list; the full list is fetched when the CSV is asked for.
    deals = session.cached(funnel.dropoff, filters, **options, row_limit=funnel.DROPOFF_ROWS_SHOWN)
    st.caption(funnel.dropoff_caption(deals, choices[step]))
    table = funnel.dropoff_table(deals)
    shown = funnel.dropoff_page_table(table)
    # Fits 1440 px (no sideways scroll, long cells wrap); the deal stays pinned on a narrower
    # screen; a selected row shows the stage dates no column could hold.
    event = widgets.table(
        shown,
        height=funnel.dropoff_height(len(shown)),
        pin=["Deal"],
        widths=funnel.DROPOFF_WIDTHS,
        row_height=funnel.DROPOFF_ROW_HEIGHT,
        select_key="funnel_dropoff_rows",
    )
    st.caption(funnel.dropoff_path_words(table, event.selection.rows if event else []))
    total = funnel.dropoff_count(deals)
    if len(shown) < total:
        st.caption(f"The first {len(shown):,} of {total:,} deals; the download has all.")
    full = session.later(funnel.dropoff, filters, **options)
    widgets.download(lambda: funnel.dropoff_table(full()), "deals_that_went_no_further")


def show_breakdown(pipeline: str, window) -> None:
    page_state.seed(page_state.BREAKDOWN, page_state.one_of(funnel.DIMENSIONS), "segment")
    dimension = st.segmented_control(
        "Break down by",
        list(funnel.DIMENSIONS),
        format_func=funnel.DIMENSIONS.get,
        key="funnel_dimension",
    )
    page_state.write(page_state.BREAKDOWN, dimension)
    if dimension is None:
        return
    result = session.cached(
        funnel.breakdown, filters, pipeline=pipeline, dimension=dimension, window_days=window
    )
    st.dataframe(charts.breakdown_styler(result.table, result.marks), hide_index=True)
    st.caption(
        f"{funnel.subset_words(pipeline, window)} · {where}: "
        f"% of previous stage, with the deals behind it. ▲ best and ▼ worst among groups with "
        f"at least {funnel.MIN_COUNT} deals at the stage before; grey cells rest on fewer."
        f"{funnel.breakdown_unknown_words(result)}"
    )
    widgets.download(result.tidy, f"funnel_by_{dimension}")


def show_trend(views, pipeline: str, window, gaps: dict[str, str]) -> None:
    """The monthly trend; with none, its true cause (no creation date) or no section at all,
    never a heading with nothing under it."""
    frame = views.trend
    if frame.empty:
        if why := gaps.get("funnel_period"):
            st.subheader("Is it getting better?")
            st.info(
                why.replace(
                    "No deals placed in a period by creation date", "No trend by month created", 1
                )
            )
        return
    st.subheader("Is it getting better?")
    sub = f"<br><sup>{funnel.subset_words(pipeline, window)} · {where}</sup>"
    left, right = st.columns(2)
    stages = funnel.stage_series(frame)  # none known: say why instead of drawing nothing
    if stages:
        title = f"Stage-to-stage conversion by month created{sub}"
        left.plotly_chart(charts.trend_chart(frame, title, stages), **CHART)
    else:
        unknown = funnel.stage_series_unknown(frame, views.steps)
        left.info(unknown or "No stage-to-stage conversion.")
    title = f"Win rate and created → won by month created{sub}"
    created = funnel.deals_created_by_month(frame)
    right.plotly_chart(
        charts.trend_chart(frame, title, list(funnel.OVERALL_SERIES), created), **CHART
    )
    st.caption(funnel.trend_note(window, frame))
    widgets.download(frame, "conversion_by_month_created")


if view == "Customer lifecycle":
    lifecycle_view()
else:
    pipeline_view()
