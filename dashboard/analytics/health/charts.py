"""Pure builders for the health page: a radar per segment and the monthly trend of scores."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.core.theme import COLORS, SERIES, TEMPLATE


def _bands(fig: go.Figure, bands: tuple[float, float]) -> None:
    fig.add_hrect(y0=0, y1=bands[0], fillcolor=COLORS["lost"], opacity=0.07, line_width=0)
    fig.add_hrect(y0=bands[1], y1=100, fillcolor=COLORS["won"], opacity=0.07, line_width=0)


def segment_radar(frame: pd.DataFrame, parts: list[str], title: str) -> go.Figure:
    """One closed polygon per segment over the four parts (0-100); gaps where a part has no data."""
    fig = go.Figure()
    for i, (segment, group) in enumerate(frame.groupby("segment", sort=True)):
        scores = group.set_index("part")["score"].reindex(parts)
        fig.add_scatterpolar(
            r=[*scores.tolist(), scores.iloc[0]],
            theta=[*parts, parts[0]],
            name=str(segment),
            line_color=SERIES[i % len(SERIES)],
            hovertemplate=f"{segment}<br>%{{theta}}: %{{r:.0f}} points<extra></extra>",
        )
    fig.update_layout(
        template=TEMPLATE,
        title=title,
        polar=dict(
            radialaxis=dict(range=[0, 100], ticksuffix=" pts", angle=45, tickangle=45),
            angularaxis=dict(rotation=90, direction="clockwise"),
        ),
        hovermode="closest",
        margin=dict(t=90, b=40),
    )
    return fig


def trend_chart(frame: pd.DataFrame, title: str, bands: tuple[float, float]) -> go.Figure:
    """Overall (bold) and each part's score by month, 0-100, with the weak/strong bands shaded."""
    fig = go.Figure()
    months = pd.to_datetime(frame["month_end"])
    for i, (part, group) in enumerate(frame.groupby("part", sort=False)):
        overall = part == "Overall"
        fig.add_scatter(
            x=months[group.index],
            y=group["score"],
            name=part,
            mode="lines+markers",
            line=dict(width=4 if overall else 2, color="#000000" if overall else SERIES[i]),
            hovertemplate=f"{part}: %{{y:.0f}} points<extra></extra>",
        )
    _bands(fig, bands)
    fig.update_layout(template=TEMPLATE, title=title)
    fig.update_yaxes(title="Score (0-100 points)", range=[0, 100])
    fig.update_xaxes(title="Window ending", tickformat="%-d %b %Y")
    return fig
