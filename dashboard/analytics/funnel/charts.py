"""Pure builders for the funnel page: frames in, figures (or a styled table) out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from pandas.io.formats.style import Styler
from plotly.subplots import make_subplots

from dashboard.core import formatting
from dashboard.core.theme import COLORS, SERIES, TEMPLATE

# Cell backgrounds for the breakdown table: light tints of the won / lost colours, readable
# with dark text in both themes; the ▲/▼ signs carry the meaning without colour.
BEST_CSS = "background-color: rgba(0, 158, 115, 0.22); font-weight: 600"
WORST_CSS = "background-color: rgba(213, 94, 0, 0.22); font-weight: 600"
SMALL_CSS = "color: #999999"
# Labels of bars around a clicked one: a mid grey that reads on light and dark backgrounds.
UNSELECTED_TEXT = "#808080"


def _count_ticks(largest: float) -> dict:
    """Whole-number ticks: a count axis never reads 0.5 deals."""
    # tickmode auto: a second axis would otherwise sync its ticks to the first (129.9 deals).
    ticks = {"tickformat": ",d", "tickmode": "auto"}
    return {**ticks, "tickmode": "linear", "tick0": 0, "dtick": 1} if largest <= 6 else ticks


def funnel_chart(steps: pd.DataFrame, title: str, unit: str = "deals") -> go.Figure:
    """Horizontal bars, first step on top: count, % of previous and % of first on each bar.

    `steps` needs step_name, count_reached, conversion_from_previous, conversion_from_first,
    is_won_step, and may have amount_reached (shown on the bar and in the hover; an unknown
    amount, NaN when none was mapped, is left out rather than shown as "$0" or "—").
    """
    has_amount = "amount_reached" in steps
    unknown = steps.get("conversion_unknown", pd.Series(False, index=steps.index))
    labels, hovers = [], []
    for row, hidden in zip(steps.itertuples(), unknown, strict=True):
        known = has_amount and pd.notna(row.amount_reached)
        amount = f" · {formatting.money(row.amount_reached)}" if known else ""
        first_line = f"<b>{formatting.count(row.count_reached)}</b>{amount}"
        of_first = (
            f"{formatting.ratio(row.conversion_from_first)} of first"
            if pd.notna(row.conversion_from_first)
            else ""
        )
        if hidden:  # lost deals with no known last stage could move it too far: no number
            second_line = " · ".join(w for w in ("conversion unknown", of_first) if w)
        elif pd.isna(row.conversion_from_previous):
            second_line = f"{formatting.ratio(1)} of first" if row.count_reached else ""
        else:
            second_line = (
                f"{formatting.ratio(row.conversion_from_previous)} of previous · {of_first}"
            )
        labels.append(f"{first_line}<br>{second_line}")
        previous = "unknown" if hidden else formatting.ratio(row.conversion_from_previous)
        first = formatting.ratio(row.conversion_from_first)
        hovers.append(
            f"<b>{row.step_name}</b><br>{formatting.count(row.count_reached)} {unit} reached"
            f"{' (known; lost deals with no known last stage may have too)' if hidden else ''}"
            f"{'<br>Amount ' + formatting.money(row.amount_reached) if known else ''}"
            f"<br>{previous} of previous step"
            f"<br>{'unknown' if first == formatting.MISSING and hidden else first} of first step"
        )
    colors = [COLORS["won"] if won else COLORS["open"] for won in steps["is_won_step"]]
    fig = go.Figure(
        go.Bar(
            x=steps["count_reached"],
            y=steps["step_name"],
            orientation="h",
            marker_color=colors,
            text=labels,
            textposition="outside",
            cliponaxis=False,
            customdata=steps[["step_name"]].to_numpy(),
            hovertext=hovers,
            hoverinfo="text",
            name="Reached",
            # A clicked bar stays selected; the others dim a little but keep readable labels.
            selected=dict(marker=dict(opacity=1)),
            unselected=dict(marker=dict(opacity=0.45), textfont=dict(color=UNSELECTED_TEXT)),
        )
    )
    top = float(steps["count_reached"].max() or 1)
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title),
        hovermode="closest",
        showlegend=False,
        xaxis=dict(
            title=f"{unit.capitalize()} that reached the stage",
            range=[0, top * 1.45],
            **_count_ticks(top),
        ),
        yaxis=dict(title=None, autorange="reversed", type="category"),
        height=90 + 62 * len(steps),
        bargap=0.25,
        clickmode="event+select",
    )
    return fig


def breakdown_styler(table: pd.DataFrame, marks: pd.DataFrame) -> Styler:
    """The conversion table with ▲ best and ▼ worst cells tinted; small groups greyed."""
    signs = {"best": "▲ ", "worst": "▼ "}
    shown = table.copy()
    for column in table.columns:
        shown[column] = [
            signs.get(m, "") + str(v) for v, m in zip(table[column], marks[column], strict=True)
        ]
    css = {"best": BEST_CSS, "worst": WORST_CSS, "small": SMALL_CSS}
    styles = marks.apply(lambda col: col.map(lambda m: css.get(m, "")))
    return shown.style.apply(lambda _: styles, axis=None).hide(axis="index")


def time_in_stage_chart(frame: pd.DataFrame, title: str) -> go.Figure:
    """Median and 75th percentile days per step, deals measured in the hover."""
    fig = go.Figure()
    for column, name, color in (
        ("median_days", "Median", COLORS["open"]),
        ("p75_days", "75th percentile", SERIES[4]),
    ):
        fig.add_bar(
            x=frame["step_name"],
            y=frame[column],
            name=name,
            marker_color=color,
            text=[formatting.days(v) for v in frame[column]],
            textposition="outside",
            # Hover in the labels' words ("12 days", never "12.0 days"): one day format.
            customdata=[
                [formatting.days(v), formatting.counted(n, "deals")]
                for v, n in zip(frame[column], frame["count_deals_measured"], strict=True)
            ],
            hovertemplate=(
                f"{name}: %{{customdata[0]}}<br>%{{customdata[1]}} moved on<extra></extra>"
            ),
        )
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title),
        hovermode="closest",
        barmode="group",
        legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="left", x=0),
        xaxis=dict(title="Stage (time until the deal entered a later stage)"),
        yaxis=dict(title="Days in stage", rangemode="tozero"),
    )
    return fig


def sales_cycle_chart(
    cycles: pd.DataFrame, median_days: float | None, p75_days: float | None, title: str
) -> go.Figure:
    """Histogram of won deals by cycle length in weeks, median and 75th percentile marked."""
    weeks = weekly_bins(cycles["cycle_days"])
    fig = go.Figure(
        go.Bar(
            x=weeks["start"] + 3.5,
            y=weeks["count"],
            width=7,
            marker_color=COLORS["won"],
            name="Won deals",
            customdata=weeks[["days", "won"]].to_numpy(),
            hovertemplate="%{customdata[0]}: %{customdata[1]}<extra></extra>",
        )
    )
    marks = (
        (median_days, "median", "solid", "top left"),
        (p75_days, "75th pct", "dot", "top right"),
    )
    for value, label, dash, position in marks:
        if value is not None:
            fig.add_vline(
                x=value,
                line=dict(color=COLORS["neutral"], dash=dash, width=2),
                annotation_text=f"{label} {formatting.days(value)}",
                annotation_position=position,
            )
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title),
        hovermode="closest",
        showlegend=False,
        xaxis=dict(title="Days from creation to won (weekly bins)", rangemode="tozero"),
        yaxis=dict(title="Won deals", **_count_ticks(len(cycles))),
        bargap=0.05,
    )
    return fig


def weekly_bins(cycle_days: pd.Series) -> pd.DataFrame:
    """Won deals per week of cycle length (0–6 days, 7–13 days, ...), with the hover's words
    written by the one day format: a bin is "7–13 days", never "7.0 days". Counted here, so
    the browser gets one bar a week, not one number per won deal (1.1 MB of figure at a
    million deals); missing and negative cycles fall in no bin."""
    start = (cycle_days.dropna() // 7 * 7).astype(int)
    counts = start[start >= 0].value_counts().sort_index()
    return pd.DataFrame(
        {
            "start": counts.index.to_numpy(),
            "count": counts.to_numpy(),
            "days": [f"{s:,}–{formatting.days(s + 6)}" for s in counts.index],
            "won": [formatting.counted(n, "won deals") for n in counts],
        }
    )


def trend_chart(
    frame: pd.DataFrame,
    title: str,
    series: list[str],
    created: pd.DataFrame | None = None,
) -> go.Figure:
    """Rates by creation month, one line per series; months resting on too few deals are
    hollow grey points, months still maturing are shaded. Optional bars: deals created per
    month, in a panel of their own under the rates, sharing the month axis (never a second
    y axis beside the rates: two scales on one panel do not line up)."""
    with_created = created is not None and not created.empty
    if with_created:
        fig = make_subplots(
            rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.06, row_heights=[0.68, 0.32]
        )
    else:
        fig = go.Figure()
    rates = {"row": 1, "col": 1} if with_created else {}
    palette = {"Win rate": COLORS["rate"], "Created → won": COLORS["won"]}
    others = iter(s for s in SERIES if s not in palette.values())
    for name in series:
        rows = frame[frame["series"] == name]
        color = palette.get(name) or next(others)
        small = rows["is_small"].to_numpy()
        hover = f"{name}: %{{y:.1%}} (%{{customdata[0]:,}} of %{{customdata[1]:,}})"
        # The line joins only months with enough deals; small months stand apart as hollow
        # grey points, so a month of five deals never draws a trend.
        fig.add_scatter(
            x=rows["month_start"],
            y=rows["rate"].where(~small),
            name=name,
            legendgroup=name,
            mode="lines+markers",
            connectgaps=False,
            line=dict(color=color, width=3 if name in palette else 1.5),
            marker=dict(size=7, color=color),
            customdata=rows[["numerator", "denominator"]].to_numpy(),
            hovertemplate=hover + "<extra></extra>",
            **rates,
        )
        if small.any():
            fig.add_scatter(
                x=rows["month_start"],
                y=rows["rate"].where(small),
                name=f"{name} (few deals)",
                legendgroup=name,
                showlegend=False,
                mode="markers",
                marker=dict(size=8, color=COLORS["neutral"], symbol="circle-open"),
                customdata=rows[["numerator", "denominator"]].to_numpy(),
                hovertemplate=hover + " · too few deals<extra></extra>",
                **rates,
            )
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title),
        height=540 if with_created else 480,
        # Below the plot: several series' names would otherwise run into the title.
        legend=dict(
            orientation="h", yanchor="top", y=-0.16 if with_created else -0.22, xanchor="left", x=0
        ),
    )
    # A month is a month in the unified hover's heading too ("Feb 2026", never "Feb 1, 2026").
    fig.update_xaxes(tickformat="%b %Y", hoverformat="%b %Y")
    fig.update_xaxes(title="Month the deals were created", **({"row": 2} if with_created else {}))
    fig.update_yaxes(title="Conversion", tickformat=".0%", range=[0, 1.05], **rates)
    if with_created:
        fig.add_bar(
            x=created["month_start"],
            y=created["count_created"],
            name="Deals created",
            marker_color=COLORS["neutral"],
            opacity=0.6,
            hovertemplate="%{y:,} deals created<extra></extra>",
            row=2,
            col=1,
        )
        fig.update_yaxes(
            title="Deals created",
            rangemode="tozero",
            row=2,
            col=1,
            **_count_ticks(created["count_created"].max()),
        )
    _shade_maturing(fig, frame, with_created)  # last: every panel has its traces by now
    return fig


def _shade_maturing(fig: go.Figure, frame: pd.DataFrame, with_created: bool) -> None:
    """Shade the months still maturing (trend's is_shaded) on every panel, once the traces
    are drawn: plotly adds a shape to no subplot that is still empty, so a shade added
    first was lost on the two-panel chart."""
    column = "is_shaded" if "is_shaded" in frame else "is_maturing"
    shaded = frame.loc[frame[column], "month_start"]
    if shaded.empty:
        return
    span = dict(
        x0=shaded.min() - pd.Timedelta(days=15),
        x1=frame["month_start"].max() + pd.Timedelta(days=15),
        fillcolor=COLORS["neutral"],
        opacity=0.15,
        line_width=0,
        layer="below",
    )
    label = dict(annotation_text="still maturing", annotation_position="top left")
    if not with_created:
        fig.add_vrect(**span, **label)
        return
    fig.add_vrect(**span, **label, row=1, col=1)
    fig.add_vrect(**span, row=2, col=1)
