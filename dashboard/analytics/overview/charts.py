"""Pure DataFrame -> Figure builders sharing one template and one colour per meaning."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.core import formatting
from dashboard.core.theme import COLORS, TEMPLATE


def won_trend_chart(frame: pd.DataFrame, title: str) -> go.Figure:
    """Won amount (bars) and win rate (line) by close month, counts in the hover. With no
    amount known (none was mapped: NaN), the win rate alone, with no empty money axis."""
    months = pd.to_datetime(frame["month_start"])
    counts = frame[["deals_won", "deals_closed"]].to_numpy()
    fig = go.Figure()
    if frame["won_amount"].isna().all():
        return _win_rate_only(fig, months, frame, counts, title)
    # Hover and axis are written by the one money formatter the tiles use ("$1.2M").
    amounts = [formatting.money(v) for v in frame["won_amount"]]
    fig.add_bar(
        x=months,
        y=frame["won_amount"],
        name="Won amount",
        marker_color=COLORS["won"],
        customdata=[[a, formatting.count(n)] for a, n in zip(amounts, counts[:, 0], strict=True)],
        hovertemplate="Won amount: %{customdata[0]}<br>%{customdata[1]} won deals<extra></extra>",
    )
    fig.add_scatter(
        x=months,
        y=frame["win_rate"],
        name="Win rate",
        yaxis="y2",
        mode="lines+markers",
        line=dict(color=COLORS["rate"], width=2),
        customdata=counts,
        hovertemplate=("Win rate: %{y:.1%} of %{customdata[1]:,} closed deals<extra></extra>"),
    )
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title),
        xaxis=dict(
            title="Month closed", dtick="M1" if len(frame) <= 18 else "M3", tickformat="%b %Y"
        ),
        yaxis=dict(title="Won amount (USD)", **formatting.money_ticks(frame["won_amount"])),
        yaxis2=dict(
            title="Win rate",
            overlaying="y",
            side="right",
            tickformat=".0%",
            range=[0, 1],
            tickmode="linear",
            tick0=0,
            dtick=0.25,
            showgrid=False,
        ),
        bargap=0.25,
    )
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
        yaxis=dict(title="Win rate", tickformat=".0%", range=[0, 1], dtick=0.25),
    )
    return fig
