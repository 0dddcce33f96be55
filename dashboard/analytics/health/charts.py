"""Pure builders for the health page: part scores per segment and the monthly trend of scores."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.core.theme import COLORS, SERIES, TEMPLATE


def _bands(fig: go.Figure, bands: tuple[float, float], vertical: bool = False) -> None:
    """Weak (below the first) and strong (from the second) shaded on the score axis."""
    rect = fig.add_vrect if vertical else fig.add_hrect
    low, high = ("x0", "x1") if vertical else ("y0", "y1")
    rect(
        **{low: 0, high: bands[0]},
        fillcolor=COLORS["lost"],
        opacity=0.07,
        line_width=0,
        layer="below",
    )
    rect(
        **{low: bands[1], high: 100},
        fillcolor=COLORS["won"],
        opacity=0.07,
        line_width=0,
        layer="below",
    )


def part_colours(parts: list[str]) -> dict[str, str]:
    """One colour per part, the same in every chart of the page (the style guide's SERIES in
    the preset's part order); the overall score is black."""
    return {"Overall": "#000000"} | {p: SERIES[i % len(SERIES)] for i, p in enumerate(parts)}


def segment_bars(
    frame: pd.DataFrame, parts: list[str], title: str, bands: tuple[float, float] = (50, 75)
) -> go.Figure:
    """Each segment's part scores as grouped horizontal bars (one colour per part) on the
    same 0-100 scale as the bands: lengths compare at a glance, which a radar's areas do not.
    A part with no data in a segment has no bar and says so in the hover."""
    segments = sorted(frame["segment"].astype(str).unique(), reverse=True)  # A at the top
    fig = go.Figure()
    colours = part_colours(parts)
    for part in parts:
        rows = frame[frame["part"] == part].set_index("segment")["score"]
        scores = rows.reindex(segments)
        words = [
            f"{s} · {part}: " + ("no data" if pd.isna(v) else f"{v:.0f} points")
            for s, v in zip(segments, scores, strict=True)
        ]
        fig.add_bar(
            y=segments,
            x=scores,
            name=part,
            orientation="h",
            marker_color=colours[part],
            customdata=words,
            hovertemplate="%{customdata}<extra></extra>",
        )
    _bands(fig, bands, vertical=True)
    fig.update_layout(
        template=TEMPLATE,
        title=title,
        barmode="group",
        hovermode="closest",
        height=max(320, 120 + 26 * len(parts) * len(segments)),
        legend=dict(traceorder="normal"),
    )
    fig.update_xaxes(title="Score (0-100 points)", range=[0, 100])
    fig.update_yaxes(title="Segment (click one to filter to it)")
    return fig


def trend_chart(frame: pd.DataFrame, title: str, bands: tuple[float, float]) -> go.Figure:
    """Overall (bold) and each part's score by month, 0-100, with the weak/strong bands shaded."""
    fig = go.Figure()
    months = pd.to_datetime(frame["month_end"])
    colours = part_colours([p for p in frame["part"].unique() if p != "Overall"])
    for part, group in frame.groupby("part", sort=False):
        overall = part == "Overall"
        fig.add_scatter(
            x=months[group.index],
            y=group["score"],
            name=part,
            mode="lines+markers",
            line=dict(width=4 if overall else 2, color=colours[part]),
            hovertemplate=f"{part}: %{{y:.0f}} points<extra></extra>",
        )
    _bands(fig, bands)
    fig.update_layout(template=TEMPLATE, title=title)
    fig.update_yaxes(title="Score (0-100 points)", range=[0, 100])
    fig.update_xaxes(title="Window ending", tickformat="%-d %b %Y")
    return fig
