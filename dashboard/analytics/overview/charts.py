"""Pure DataFrame -> Figure builders sharing one template and one colour per meaning."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.core import formatting
from dashboard.core.theme import COLORS, TEMPLATE


def won_trend_chart(frame: pd.DataFrame, title: str) -> go.Figure:
    """Won amount (bars, top) and win rate (line, below) by close month, on two panels that
    share the month axis, so each has its own honest scale and the months line up; counts
    in the hover. With no amount known (none was mapped: NaN), the win rate alone."""
    months = pd.to_datetime(frame["month_start"])
    counts = frame[["deals_won", "deals_closed"]].to_numpy()
    if frame["won_amount"].isna().all():
        return _win_rate_only(go.Figure(), months, frame, counts, title)
    # Hover and axis are written by the one money formatter the tiles use ("$1.2M").
    amounts = [formatting.money(v) for v in frame["won_amount"]]
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.55, 0.45]
    )
    fig.add_bar(
        x=months,
        y=frame["won_amount"],
        name="Won amount",
        marker_color=COLORS["won"],
        customdata=[[a, formatting.count(n)] for a, n in zip(amounts, counts[:, 0], strict=True)],
        hovertemplate="Won amount: %{customdata[0]}<br>%{customdata[1]} won deals<extra></extra>",
        row=1,
        col=1,
    )
    fig.add_scatter(
        x=months,
        y=frame["win_rate"],
        name="Win rate",
        mode="lines+markers",
        line=dict(color=COLORS["rate"], width=2),
        customdata=counts,
        hovertemplate=("Win rate: %{y:.1%} of %{customdata[1]:,} closed deals<extra></extra>"),
        row=2,
        col=1,
    )
    fig.update_layout(template=TEMPLATE, title=dict(text=title), bargap=0.25, height=520)
    fig.update_xaxes(dtick="M1" if len(frame) <= 18 else "M3", tickformat="%b %Y")
    fig.update_xaxes(title="Month closed (click a month to filter to it)", row=2, col=1)
    fig.update_yaxes(
        title="Won amount (USD)",
        rangemode="tozero",
        row=1,
        **formatting.money_ticks(frame["won_amount"]),
    )
    fig.update_yaxes(title="Win rate", tickformat=".0%", rangemode="tozero", row=2)
    return fig


def _win_rate_only(fig: go.Figure, months, frame: pd.DataFrame, counts, title: str) -> go.Figure:
    fig.add_scatter(
        x=months,
        y=frame["win_rate"],
        name="Win rate",
        mode="lines+markers",
        line=dict(color=COLORS["rate"], width=2),
        customdata=counts,
        hovertemplate=("Win rate: %{y:.1%} of %{customdata[1]:,} closed deals<extra></extra>"),
    )
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title),
        showlegend=True,
        xaxis=dict(
            title="Month closed", dtick="M1" if len(frame) <= 18 else "M3", tickformat="%b %Y"
        ),
        yaxis=dict(title="Win rate", tickformat=".0%", range=rate_range(frame["win_rate"])),
    )
    return fig


def rate_range(rates: pd.Series) -> list[float]:
    """A win-rate axis fitted to the data: the lowest and highest rate with a margin of a
    fifth of their spread (at least 5 points), held within 0–100%. On 0–100% a line moving
    between 28% and 31% is flat (issue 19)."""
    known = rates.dropna().astype(float)
    if known.empty:
        return [0.0, 1.0]
    low, high = float(known.min()), float(known.max())
    pad = max(0.05, (high - low) / 5)
    return [max(0.0, low - pad), min(1.0, high + pad)]
