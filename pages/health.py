"""Four-C health: which part of the CRM process is weakest, for which segment, and why?"""

import streamlit as st

from dashboard.analytics.health import charts, config, metrics, report, scoring
from dashboard.core import periods
from dashboard.ui import chart_clicks, page_state, session, widgets

CHART = {"width": "stretch", "config": {"displaylogo": False}}


def leaders(data: metrics.HealthData, preset) -> tuple:
    """(best, worst) accounts: once per filters and preset, not on every rerun (0.4 s at
    100,000 accounts)."""
    return report.leaderboard(report.account_scores(data, preset))


filters = session.filters()
where = periods.describe(filters)
st.title("Four-C health")
widgets.page_pdf("health")
try:
    presets = config.load()
except config.HealthConfigError as error:  # every user is told; the built-in presets stand in
    st.warning(
        f"The health config `{error.source}` has problems, so the built-in presets are shown; "
        "fix them and reload:\n\n- " + "\n- ".join(error.problems)
    )
    presets = config.shipped()
page_state.seed(page_state.PRESET, page_state.one_of(presets), next(iter(presets)))
key = st.selectbox(
    "Reading of the four C's",
    list(presets),
    key="health_preset",
    format_func=lambda k: f"{presets[k].label}: {presets[k].description}",
)
page_state.write(page_state.PRESET, key)
preset = presets[key]
with st.spinner("Scoring every account in scope…"):
    data = session.cached(metrics.health_data, filters)
with st.expander("What if… (change weights and targets; scores update without a new query)"):
    part_name = st.selectbox("Part", [p.name for p in preset.parts], key=f"whatif_part_{key}")
    for spec in next(p for p in preset.parts if p.name == part_name).metrics:
        label, low, high, step = report.slider_range(spec)
        left, right = st.columns(2)
        weight = left.slider(
            f"Weight · {label}",
            0.0,
            5.0,
            spec.weight,
            0.5,
            key=f"w_{key}_{part_name}_{spec.metric}",
        )
        target = right.slider(
            f"Target · {label}",
            low,
            high,
            spec.target,
            step,
            key=f"t_{key}_{part_name}_{spec.metric}",
        )
        preset = preset.with_metric(part_name, spec.metric, weight=weight, target=target)
now = scoring.score(preset, data.overall)
before = scoring.score(preset, data.previous) if data.previous else None
st.caption(
    f"{data.accounts_in_scope:,} accounts in scope · {where}. Scores run 0–100; deals, orders, "
    "touches and answers without a known account cannot be placed and are left out."
)
widgets.tiles(report.tiles(now, before, preset, filters, data.accounts_in_scope), per_row=5)
st.markdown(report.headline(now, preset, data.no_data, filters))
if report.never_fed(now, data.no_data):
    st.stop()  # no chart or table could show anything but empty axes

st.subheader("Why this score")
names = [p.name for p in now.parts]
weakest = report.weakest(now)
shown = st.selectbox(
    "Explain", names, index=names.index(weakest.name) if weakest else 0, key=f"health_explain_{key}"
)
widgets.table(report.explanation_table(now.part(shown)), wrap=True)
widgets.notes(report.missing_notes(now.part(shown), data.no_data))

st.subheader("By segment and month")
segments = report.segment_scores(data, preset)
title = f"Part scores by segment · {where}"
st.plotly_chart(
    charts.segment_bars(segments, names, title, preset.bands),
    key="health_segments",
    # A segment clicked: the Segment filter (and the URL) becomes that segment.
    on_select=chart_clicks.on_click("health_segments", "segment", chart_clicks.y_value),
    selection_mode="points",
    **CHART,
)
widgets.download(segments, "health_by_segment")
with st.spinner("Scoring each month end for the trend (the slowest part at a million deals)…"):
    monthly = session.cached(metrics.monthly, filters)
trend = report.trend(monthly, preset)
title = f"Health at each month end, over a window as long as the period · {where}"
st.plotly_chart(charts.trend_chart(trend, title, preset.bands), **CHART)
st.caption(report.trend_note(filters))
widgets.download(trend, "health_by_month")

st.subheader("Accounts")
best, worst = session.derived(leaders, filters, preset, data, preset)
# One above the other: side by side at 1440 px, the part columns were cut (issue 19).
st.caption(report.LEADERBOARD_NOTE)
st.caption("Healthiest customers")
widgets.table(report.leaderboard_table(best))
st.caption("Least healthy customers")
widgets.table(report.leaderboard_table(worst))
choices = {
    r["account_id"]: r["account"] for r in [*best.to_dict("records"), *worst.to_dict("records")]
}
if choices:
    account = st.selectbox(
        "Drill into an account", list(choices), format_func=choices.get, key="health_account"
    )
    events = session.cached(report.timeline, filters, account_id=account)
    st.caption(f"{choices[account]}: every deal, order, touch and survey answer, newest first.")
    widgets.table(events)
    widgets.download(events, "health_account_timeline")
else:
    st.info(f"No account has at least {report.MIN_PARTS_FOR_RANK} parts with data to rank.")
