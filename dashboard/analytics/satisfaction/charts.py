"""Pure DataFrame -> Figure builders for the satisfaction page.

Every point carries its answer count and 95% margin of error (in the hover, and as error bars
on reliable points). A period or group with fewer answers than the page's minimum is drawn as
a grey hollow point or a faded grey bar, never as a confident one.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.analytics.satisfaction.data import (
    AXIS_TITLES,
    SURVEYS,
    count_of,
    margin_words,
    value_words,
)
from dashboard.core import formatting
from dashboard.core.periods import GRAINS, cohort_label
from dashboard.core.theme import COLORS, SERIES, TEMPLATE

SCORE = COLORS["rate"]
ROLLING = SERIES[0]
FADED = 0.35


def small_label(min_responses: int) -> str:
    return f"Fewer than {min_responses} answers (too few to read)"


def _hover(kind: str, value: float, margin: float, responses: float, when: str) -> str:
    return (
        f"{when}: {SURVEYS[kind]} {value_words(kind, value)} {margin_words(kind, margin)}"
        f"<br>{count_of(responses)}"
    )


def _value_axis(kind: str) -> dict:
    axis: dict = {"title": AXIS_TITLES[kind], "zeroline": True}
    if kind == "csat":
        axis.update(range=[0, 100], ticksuffix="%")
    else:  # NPS and CES: fit the data, always showing 0
        axis.update(rangemode="tozero")
    return axis


def _period_axis(grain: str, periods: pd.Series) -> dict:
    axis: dict = {"title": f"{GRAINS[grain]} answered"}
    if grain == "quarter" and len(periods) <= 24:
        axis.update(tickvals=list(periods), ticktext=[cohort_label(p, grain) for p in periods])
    elif grain == "month":
        axis.update(tickformat="%b %Y", dtick="M1" if len(periods) <= 14 else "M3")
    else:
        axis.update(tickformat="%-d %b %Y")
    return axis


def trend_chart(
    points: pd.DataFrame,
    survey_type: str,
    *,
    grain: str,
    min_responses: int,
    rolling: int,
    title: str,
) -> go.Figure:
    """One measure per period: reliable points with error bars, small periods grey and
    hollow, empty periods left out, and the pooled rolling line when asked for."""
    mine = points[points["survey_type"] == survey_type].sort_values("period_start")
    when = [cohort_label(p, grain) for p in mine["period_start"]]
    hover = [
        _hover(survey_type, r.value, r.margin, r.responses, w)
        for r, w in zip(mine.itertuples(), when, strict=True)
    ]
    mine = mine.assign(hover=hover)
    reliable = mine[mine["is_reliable"]]
    small = mine[~mine["is_reliable"] & (mine["responses"] > 0)]
    fig = go.Figure()
    fig.add_scatter(
        x=reliable["period_start"],
        y=reliable["value"],
        name=f"{SURVEYS[survey_type]} ± 95% margin",
        mode="lines+markers" if rolling == 1 else "markers",
        line=dict(color=SCORE, width=2),
        marker=dict(color=SCORE, size=8),
        error_y=dict(type="data", array=reliable["margin"].fillna(0), color=SCORE, thickness=1),
        text=reliable["hover"],
        hovertemplate="%{text}<extra></extra>",
    )
    fig.add_scatter(
        x=small["period_start"],
        y=small["value"],
        name=small_label(min_responses),
        mode="markers",
        marker=dict(color=COLORS["neutral"], size=8, symbol="circle-open", line=dict(width=2)),
        text=small["hover"] + "<br>too few to read",
        hovertemplate="%{text}<extra></extra>",
    )
    if rolling > 1:
        rolled = mine[mine["rolling_reliable"]]
        unit = GRAINS[grain].lower()
        rolled_hover = [
            _hover(survey_type, r.rolling_value, r.rolling_margin, r.rolling_responses, w)
            + f" (last {rolling} {unit}s)"
            for r, w in zip(
                rolled.itertuples(), [cohort_label(p, grain) for p in rolled["period_start"]],
                strict=True,
            )
        ]  # fmt: skip
        fig.add_scatter(
            x=rolled["period_start"],
            y=rolled["rolling_value"],
            name=f"Rolling {rolling} {unit}s (answers pooled)",
            mode="lines",
            line=dict(color=ROLLING, width=3, dash="dot"),
            text=rolled_hover,
            hovertemplate="%{text}<extra></extra>",
        )
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title),
        xaxis=_period_axis(grain, mine["period_start"]),
        yaxis=_value_axis(survey_type),
        hovermode="closest",
    )
    return fig


SHARES = ("detractor_share", "passive_share", "promoter_share")


def shares_chart(points: pd.DataFrame, *, grain: str, min_responses: int, title: str) -> go.Figure:
    """Promoter, passive and detractor shares per period, stacked to 100%; periods under
    the minimum are faded. Every period of the calendar between the first and last answer
    keeps its slot: one with no answers is a gap, not dropped (issue 19, point 5)."""
    nps = points[points["survey_type"] == "nps"].sort_values("period_start")
    answered = nps.index[nps["responses"] > 0]
    nps = nps.loc[answered.min() : answered.max()] if len(answered) else nps.iloc[:0]
    nps = nps.assign(**{s: nps[s].where(nps["responses"] > 0) for s in SHARES})
    opacity = [1.0 if ok else FADED for ok in nps["is_reliable"]]
    when = [cohort_label(p, grain) for p in nps["period_start"]]
    fig = go.Figure()
    for share, counts, name in (
        ("detractor_share", "detractors", "Detractors (0–6)"),
        ("passive_share", "passives", "Passives (7–8)"),
        ("promoter_share", "promoters", "Promoters (9–10)"),
    ):
        hover = [
            f"{w}: no answers"
            if not n
            else f"{w}: {name} {formatting.ratio(s)} ({formatting.count(c)} of {count_of(n)})"
            + ("" if ok else "<br>too few to read")
            for w, s, c, n, ok in zip(
                when, nps[share], nps[counts], nps["responses"], nps["is_reliable"], strict=True
            )
        ]
        fig.add_bar(
            x=when,  # one labelled slot per period: bars centred on it, no axis outside them
            y=nps[share],
            name=name,
            marker=dict(color=COLORS[share.split("_")[0]], opacity=opacity),
            text=hover,
            textposition="none",
            hovertemplate="%{text}<extra></extra>",
        )
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title),
        barmode="stack",
        bargap=0.2,
        hovermode="x unified",
        xaxis=dict(title=f"{GRAINS[grain]} answered", type="category"),
        yaxis=dict(title="Share of NPS answers", tickformat=".0%", range=[0, 1]),
        legend=dict(traceorder="reversed"),
    )
    return fig


def breakdown_chart(
    groups: pd.DataFrame,
    survey_type: str,
    *,
    dimension_label: str,
    min_responses: int,
    compared_with: str | None,
    title: str,
) -> go.Figure:
    """The measure per group (horizontal bars with margins, small groups faded grey), and the
    prior period as a marker when there is one."""
    mine = groups[groups["survey_type"] == survey_type].sort_values(
        "value", na_position="first", kind="stable"
    )
    labels = [
        f"{g} · {count_of(n)}" for g, n in zip(mine["group_value"], mine["responses"], strict=True)
    ]
    hover = [
        _hover(survey_type, r.value, r.margin, r.responses, str(r.group_value))
        + ("" if r.is_reliable else "<br>too few to read")
        for r in mine.itertuples()
    ]
    fig = go.Figure()
    fig.add_bar(
        y=labels,
        x=mine["value"],
        orientation="h",
        name=f"{SURVEYS[survey_type]} ± 95% margin",
        marker=dict(
            color=[SCORE if ok else COLORS["neutral"] for ok in mine["is_reliable"]],
            opacity=[1.0 if ok else FADED for ok in mine["is_reliable"]],
        ),
        error_x=dict(
            type="data",
            array=mine["margin"].where(mine["is_reliable"]).fillna(0),
            color="#444444",
            thickness=1,
        ),
        # The group's own value rides along, so a click on the bar can filter to it.
        customdata=list(zip(hover, mine["group_value"].astype(str), strict=True)),
        hovertemplate="%{customdata[0]}<extra></extra>",
    )
    if compared_with is not None and mine["previous_value"].notna().any():
        shown = mine["previous_reliable"].tolist()
        prior = mine[mine["previous_reliable"]]
        fig.add_scatter(
            y=[label for label, ok in zip(labels, shown, strict=True) if ok],
            x=prior["previous_value"],
            mode="markers",
            name=f"Prior period ({compared_with})",
            marker=dict(color="#000000", symbol="diamond-open", size=11, line=dict(width=2)),
            customdata=[
                _hover(
                    survey_type,
                    r.previous_value,
                    r.previous_margin,
                    r.previous_responses,
                    f"{r.group_value}, prior period",
                )
                for r in prior.itertuples()
            ],  # fmt: skip
            hovertemplate="%{customdata}<extra></extra>",
        )
    axis = _value_axis(survey_type)
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title),
        hovermode="closest",
        height=max(300, 160 + 36 * len(mine)),
        xaxis=axis,
        yaxis=dict(title=dimension_label, automargin=True),
    )
    return fig


def behaviour_chart(
    groups: pd.DataFrame,
    survey_type: str,
    *,
    labels: dict[str, str],
    title: str,
) -> go.Figure:
    """The measure for answers followed by an order within the window and for the others."""
    mine = groups[groups["survey_type"] == survey_type].set_index("outcome")
    mine = mine.reindex([k for k in labels if k in mine.index])
    names = [labels[k] for k in mine.index]
    ticks = [
        f"{name}<br>{count_of(n)}{'' if ok else ' · too few to read'}"
        for name, n, ok in zip(names, mine["responses"], mine["is_reliable"], strict=True)
    ]
    fig = go.Figure()
    fig.add_bar(
        x=ticks,
        y=mine["value"],
        name=f"{SURVEYS[survey_type]} ± 95% margin",
        marker=dict(
            color=[SCORE if ok else COLORS["neutral"] for ok in mine["is_reliable"]],
            opacity=[1.0 if ok else FADED for ok in mine["is_reliable"]],
        ),
        error_y=dict(
            type="data",
            array=mine["margin"].where(mine["is_reliable"]).fillna(0),
            color="#444444",
            thickness=1,
        ),
        customdata=[
            _hover(survey_type, r.value, r.margin, r.responses, name)
            + ("" if r.is_reliable else "<br>too few to read")
            for r, name in zip(mine.itertuples(), names, strict=True)
        ],
        hovertemplate="%{customdata}<extra></extra>",
    )
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title),
        hovermode="closest",
        showlegend=False,
        xaxis=dict(title=None),
        yaxis=_value_axis(survey_type),
        bargap=0.45,
    )
    return fig
