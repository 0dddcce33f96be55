"""Pure DataFrame -> Figure builders for the retention page: the cohort triangle and curves.

A period the data does not cover to its end is "in progress": it is hatched in the triangle and
left off the curves (which end at the last complete period), never drawn as a drop.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.analytics.retention.data import offset_title
from dashboard.core import formatting
from dashboard.core.periods import GRAINS, cohort_label
from dashboard.core.theme import COLORS, SERIES, TEMPLATE

RATE = {"logo": "logo_rate", "revenue": "revenue_rate"}
NAME = {"logo": "Logo retention", "revenue": "Revenue retention"}
# Sequential, colour-blind safe: white to the palette's blue.
SCALE = [[0.0, "#F4F8FB"], [0.5, "#7FB3D5"], [1.0, COLORS["open"]]]
IN_PROGRESS = "In progress (period not over; not a drop)"
MAX_TEXT_COLUMNS = 40  # beyond this a cell is too narrow to print a number in
WIDE = 13  # from this many columns on, cells print whole percents ("45%")


def _zmax(measure: str, rates: pd.Series) -> float:
    """Logo retention lives in 0–1; revenue retention can pass 100% (expansion), capped at 2."""
    if measure == "logo":
        return 1.0
    top = rates.max()
    return float(min(max(top, 1.0), 2.0)) if pd.notna(top) else 1.0


def _cell_words(row, measure: str, grain: str) -> tuple[str, str]:
    """(text in the cell, hover) for one cohort x offset cell."""
    unit = GRAINS[grain].lower()
    when = f"{unit} {row.period_offset} ({cohort_label(row.period_start, grain)})"
    who = f"{cohort_label(row.cohort_start, grain)} cohort, {when}"
    if measure == "logo":
        value = formatting.ratio(row.logo_rate)
        detail = f"{formatting.count(row.retained)} of {formatting.count(row.cohort_customers)} "
        detail += "customers ordered"
    else:
        value = formatting.ratio(row.revenue_rate)
        detail = f"{formatting.money(row.revenue)} of {formatting.money(row.revenue_at_start)} "
        detail += f"in {unit} 0"
        if pd.isna(row.revenue_rate):
            value, detail = "", f"not defined: no revenue in {unit} 0"
    if not row.is_complete:
        return (
            "…",
            f"{who}<br>In progress until {row.period_end:%-d %b %Y}: so far {value}, {detail}",
        )
    return value, f"{who}<br>{value}: {detail}"


def _average_words(row, measure: str, grain: str) -> tuple[str, str]:
    unit = GRAINS[grain].lower()
    rate = row.logo_rate if measure == "logo" else row.revenue_rate
    customers = row.cohort_customers if measure == "logo" else row.revenue_customers
    value = formatting.ratio(rate)
    return value, (
        f"All cohorts, {unit} {row.period_offset}: {value}<br>weighted by size over "
        f"{formatting.count(row.cohorts)} {'cohort' if row.cohorts == 1 else 'cohorts'} old "
        f"enough ({formatting.count(customers)} customers)"
    )


def cohort_heatmap(
    cells: pd.DataFrame,
    average: pd.DataFrame,
    *,
    measure: str,
    grain: str,
    basis: str,
    title: str,
) -> go.Figure:
    """The cohort triangle: one row per cohort (size beside it), one column per offset, the
    size-weighted average on top; in-progress cells hatched, not coloured."""
    cohorts = (
        cells[cells["period_offset"] == 0].sort_values("cohort_start")[
            ["cohort_start", "cohort_customers"]
        ]
    ).reset_index(drop=True)
    width = int(cells["period_offset"].max()) + 1
    height = len(cohorts) + 1
    z = np.full((height, width), np.nan)
    text = np.full((height, width), "", dtype=object)
    hover = np.full((height, width), "", dtype=object)
    row_of = {c: i + 1 for i, c in enumerate(cohorts["cohort_start"])}
    hatched: list[tuple[int, int]] = []
    for row in cells.itertuples(index=False):
        i, k = row_of[row.cohort_start], int(row.period_offset)
        text[i, k], hover[i, k] = _cell_words(row, measure, grain)
        if row.is_complete:
            z[i, k] = getattr(row, RATE[measure])
        else:
            hatched.append((i, k))
    for row in average.itertuples(index=False):
        k = int(row.period_offset)
        z[0, k] = getattr(row, RATE[measure])
        text[0, k], hover[0, k] = _average_words(row, measure, grain)
    if width > WIDE:  # narrow cells: whole percents; the hover keeps one decimal
        text = np.where(np.isnan(z), text, np.vectorize(lambda v: f"{100 * v:.0f}%")(z))
    labels = ["All cohorts · weighted"] + [
        f"{cohort_label(r.cohort_start, grain)} · {formatting.count(r.cohort_customers)}"
        for r in cohorts.itertuples()
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(range(width)),
            y=list(range(height)),
            text=text if width <= MAX_TEXT_COLUMNS else None,
            texttemplate="%{text}" if width <= MAX_TEXT_COLUMNS else None,
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            colorscale=SCALE,
            zmin=0,
            zmax=_zmax(measure, cells[RATE[measure]].where(cells["is_complete"])),
            xgap=2,
            ygap=2,
            colorbar=dict(title=NAME[measure], tickformat=".0%", thickness=12),
            name=NAME[measure],
        )
    )
    if hatched:
        fig.add_trace(_hatch(hatched))
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title),
        hovermode="closest",
        height=max(320, 140 + 26 * height),
        xaxis=dict(
            title=offset_title(grain, basis),
            side="top",
            tickmode="array",
            tickvals=list(range(width)),
            showgrid=False,
            zeroline=False,
        ),
        yaxis=dict(
            title="Cohort · customers",
            tickmode="array",
            tickvals=list(range(height)),
            ticktext=labels,
            autorange="reversed",
            showgrid=False,
            zeroline=False,
        ),
        legend=dict(orientation="h", yanchor="top", y=-0.02, xanchor="left", x=0),
        margin=dict(t=110),
    )
    return fig


def _hatch(cells: list[tuple[int, int]]) -> go.Scatter:
    """Hatched squares over the in-progress cells (one trace, polygons split by gaps)."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for i, k in cells:
        xs += [k - 0.45, k + 0.45, k + 0.45, k - 0.45, k - 0.45, None]
        ys += [i - 0.45, i - 0.45, i + 0.45, i + 0.45, i - 0.45, None]
    return go.Scatter(
        x=xs,
        y=ys,
        mode="lines",
        fill="toself",
        fillcolor="rgba(0,0,0,0)",
        fillpattern=dict(shape="/", fgcolor=COLORS["neutral"], size=6, solidity=0.2),
        line=dict(color=COLORS["neutral"], width=1),
        name=IN_PROGRESS,
        hoverinfo="skip",
        showlegend=True,
    )


def _layout(fig: go.Figure, *, measure: str, grain: str, basis: str, title: str, top: float):
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title),
        hovermode="closest",
        xaxis=dict(title=offset_title(grain, basis), dtick=1 if top <= 24 else None),
        yaxis=dict(
            title=NAME[measure],
            tickformat=".0%",
            rangemode="tozero",
            range=[0, 1.05] if measure == "logo" else None,
        ),
    )
    return fig


def cohort_curves(
    cells: pd.DataFrame,
    average: pd.DataFrame,
    *,
    measure: str,
    grain: str,
    basis: str,
    title: str,
) -> go.Figure:
    """One thin line per cohort, the weighted average in bold; complete periods only, so a
    period in progress never shows as a drop."""
    fig = go.Figure()
    complete = cells[cells["is_complete"]]
    for i, (_start, group) in enumerate(complete.groupby("cohort_start", sort=True)):
        fig.add_scatter(
            x=group["period_offset"],
            y=group[RATE[measure]],
            mode="lines",
            line=dict(color=COLORS["neutral"], width=1),
            opacity=0.45,
            name="One cohort each",
            legendgroup="cohorts",
            showlegend=i == 0,
            customdata=[_cell_words(r, measure, grain)[1] for r in group.itertuples(index=False)],
            hovertemplate="%{customdata}<extra></extra>",
        )
    _add_average(fig, average, measure, grain, "All cohorts (weighted)", SERIES[0])
    top = float(cells["period_offset"].max()) if len(cells) else 0
    return _layout(fig, measure=measure, grain=grain, basis=basis, title=title, top=top)


def _add_average(fig, average: pd.DataFrame, measure: str, grain: str, name: str, color: str):
    fig.add_scatter(
        x=average["period_offset"],
        y=average[RATE[measure]],
        mode="lines+markers",
        line=dict(color=color, width=3),
        name=name,
        customdata=[_average_words(r, measure, grain)[1] for r in average.itertuples(index=False)],
        hovertemplate="%{customdata}<extra></extra>",
    )


def segment_curves(
    by_segment: pd.DataFrame,
    average: pd.DataFrame,
    *,
    measure: str,
    grain: str,
    basis: str,
    title: str,
) -> go.Figure:
    """One curve per segment (each the size-weighted average of its cohorts), and all of them
    together as a dashed reference."""
    fig = go.Figure()
    for i, (segment, group) in enumerate(by_segment.groupby("segment", sort=True)):
        _add_average(fig, group, measure, grain, str(segment), SERIES[i % len(SERIES)])
        fig.data[-1].line.width = 2
        fig.data[-1].customdata = [
            f"{segment}: " + _average_words(r, measure, grain)[1].removeprefix("All cohorts, ")
            for r in group.itertuples(index=False)
        ]
    _add_average(fig, average, measure, grain, "All segments", "#000000")
    fig.data[-1].line.dash = "dash"
    fig.data[-1].line.width = 2
    top = float(by_segment["period_offset"].max()) if len(by_segment) else 0
    if math.isnan(top):
        top = 0
    return _layout(fig, measure=measure, grain=grain, basis=basis, title=title, top=top)
