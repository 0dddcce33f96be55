"""Pure DataFrame -> Figure builders sharing one template and one colour per meaning."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

# Okabe–Ito: distinguishable with every common colour-vision deficiency.
COLORS = {
    "won": "#009E73",
    "lost": "#D55E00",
    "open": "#0072B2",
    "rate": "#CC79A7",
    "neutral": "#999999",
    "promoter": "#009E73",
    "passive": "#F0E442",
    "detractor": "#D55E00",
}
SERIES = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

pio.templates["crm"] = go.layout.Template(
    layout=go.Layout(
        colorway=SERIES,
        font=dict(family="Source Sans Pro, sans-serif", size=13),
        margin=dict(l=10, r=10, t=60, b=10),
        hovermode="x unified",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0),
        separators=".,",
    )
)
TEMPLATE = "plotly_white+crm"


def won_trend_chart(frame: pd.DataFrame, title: str) -> go.Figure:
    """Won amount (bars) and win rate (line) by close month, counts in the hover."""
    months = pd.to_datetime(frame["month_start"])
    counts = frame[["deals_won", "deals_closed"]].to_numpy()
    fig = go.Figure()
    fig.add_bar(
        x=months,
        y=frame["won_amount"],
        name="Won amount",
        marker_color=COLORS["won"],
        customdata=counts,
        hovertemplate="Won amount: $%{y:,.0f}<br>%{customdata[0]:,} won deals<extra></extra>",
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
        yaxis=dict(title="Won amount (USD)", tickprefix="$", tickformat="~s", rangemode="tozero"),
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
