"""Pure builders for the competitor page: frames in, figures out.

Each competitor keeps one colour on every chart (competitor_colors, from the data-wide order
of competitors.names); "No competitor recorded" is always the neutral grey. Rates resting on
fewer than competitors.MIN_COUNT closed deals are drawn grey and hollow, never as a trend.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.analytics.competitors.data import (
    MIN_COUNT,
    NO_COMPETITOR,
    NOT_RECORDED,
    NOT_SET,
    OTHER_REASONS,
    lift_words,
)
from dashboard.core import formatting
from dashboard.core.theme import COLORS, SERIES, TEMPLATE

# Competitor identities avoid the won and lost colours, which keep their meaning here.
PALETTE = [c for c in SERIES if c not in (COLORS["won"], COLORS["lost"])]
# Worse (lost colour) to better (won colour) through a light grey that reads in both themes.
DIVERGING = [[0.0, COLORS["lost"]], [0.5, "#F2F2F2"], [1.0, COLORS["won"]]]
LOSSES = [[0.0, "#FBFBFB"], [1.0, COLORS["lost"]]]
CONFIG_HOVER = dict(hovermode="closest")


def competitor_colors(order: list[str]) -> dict[str, str]:
    """One colour per competitor from its place in the data-wide order (most deals first);
    after the palette runs out colours repeat. No competitor is grey."""
    colors = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(order)}
    colors[NO_COMPETITOR] = COLORS["neutral"]
    return colors


def _color(colors: dict[str, str], label: str) -> str:
    return colors.get(label, COLORS["neutral"])


def _dot(label: str, colors: dict[str, str]) -> str:
    """A tick label led by the competitor's colour, so heatmaps keep each one's identity."""
    return f"<span style='color:{_color(colors, label)}'>●</span> {label}"


def _rate_words(won: float, closed: float) -> str:
    return f"{formatting.count(won)} won of {formatting.count(closed)} closed"


def _interval(low: float, high: float) -> str:
    if pd.isna(low):
        return ""
    return f"95% interval {formatting.ratio(low)}–{formatting.ratio(high)}"


# --- positioning map --------------------------------------------------------------------


def _map_hover(row, previous_label: str | None) -> str:
    lines = [
        f"<b>{row.label}</b>",
        f"Met on {formatting.count(row.count_deals)} closed deals "
        f"({formatting.ratio(row.encounter_rate)} of all closed)",
        f"Win rate {formatting.ratio(row.win_rate)}: "
        + _rate_words(row.count_won, row.count_closed),
        _interval(row.win_rate_low, row.win_rate_high),
        f"Amount of these deals {formatting.money(row.amount_closed)} "
        f"(won {formatting.money(row.won_amount)}, lost {formatting.money(row.lost_amount)})"
        if pd.notna(row.amount_closed)
        else "",
    ]
    if previous_label is None:
        lines.append("No previous period to compare (all time)")
    elif pd.isna(row.previous_win_rate):
        lines.append(f"Not met on a closed deal in {previous_label}")
    else:
        lines.append(
            f"{formatting.delta(row.win_rate, row.previous_win_rate, 'ratio')} vs "
            f"{previous_label} ({formatting.ratio(row.previous_win_rate)} of "
            f"{formatting.count(row.previous_count_closed)})"
        )
    if row.is_small:
        lines.append(f"Few deals (under {MIN_COUNT}): read with care")
    return "<br>".join(line for line in lines if line)


def positioning_map(
    table: pd.DataFrame,
    colors: dict[str, str],
    title: str,
    previous_label: str | None,
) -> go.Figure:
    """Where we stand against each rival: one row per competitor, sorted by our win rate
    against it (the one we beat least on top), a dot at the win rate with its 95% interval
    as a horizontal bar; fill = change in win rate vs the previous period, ring = the
    competitor's own colour; how often we meet it is on its row label. The no-competitor win
    rate is the dashed baseline. A row each: no bar or label can cross another's dot (the
    bubble map's did, issue 19)."""
    named = table[table["competitor"].notna()].sort_values(["win_rate", "label"])
    named = named.reset_index(drop=True)
    none = table[table["competitor"].isna()]
    fig = go.Figure()
    rows_text = {r.label: _row_label(r, colors) for r in named.itertuples()}
    change_pts = 100 * named["win_rate_change"].astype(float)
    reach = max(5.0, float(np.nanmax(np.abs(change_pts))) if change_pts.notna().any() else 5.0)
    for known in (True, False):
        rows = named[change_pts.notna() == known]
        if rows.empty:
            continue
        marker = dict(
            size=16,
            opacity=[0.45 if s else 1.0 for s in rows["is_small"]],
            line=dict(color=[_color(colors, n) for n in rows["label"]], width=3),
        )
        if known:
            marker |= dict(
                color=change_pts[rows.index],
                colorscale=DIVERGING,
                cmin=-reach,
                cmid=0,
                cmax=reach,
                colorbar=dict(
                    title=dict(text="Win rate vs<br>previous period"),
                    ticksuffix=" pts",
                    thickness=12,
                ),
            )
        else:
            marker |= dict(color=COLORS["neutral"])
        fig.add_scatter(
            x=rows["win_rate"],
            y=[rows_text[n] for n in rows["label"]],
            mode="markers",
            marker=marker,
            error_x=dict(
                type="data",
                symmetric=False,
                array=rows["win_rate_high"] - rows["win_rate"],
                arrayminus=rows["win_rate"] - rows["win_rate_low"],
                color=COLORS["neutral"],
                thickness=1.5,
                width=5,
            ),
            # The hover, and the name a click on the dot hands to the page.
            customdata=[[_map_hover(r, previous_label), r.label] for r in rows.itertuples()],
            hovertemplate="%{customdata[0]}<extra></extra>",
            name="Change vs previous period"
            if known
            else ("No previous period" if previous_label is None else "Not met before"),
            showlegend=not known,
        )
    if not none.empty and pd.notna(none["win_rate"].iloc[0]):
        base = none.iloc[0]
        fig.add_vline(
            x=base["win_rate"],
            line=dict(color=COLORS["neutral"], dash="dash", width=1.5),
            annotation_text=(
                f"{NO_COMPETITOR}: {formatting.ratio(base['win_rate'])} of "
                f"{formatting.count(base['count_closed'])}"
            ),
            annotation_position="top",
        )
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title),
        height=150 + 44 * max(len(named), 1),
        **CONFIG_HOVER,
        xaxis=dict(
            title="Win rate against the competitor (bars: 95% interval)",
            tickformat=".0%",
            range=[0, 1],
        ),
        yaxis=dict(
            title=None,
            type="category",
            categoryorder="array",
            categoryarray=list(rows_text.values()),
            autorange="reversed",
        ),
        legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0),
    )
    return fig


def _row_label(row, colors: dict[str, str]) -> str:
    """'● Corvia · met on 412 (18.0%)': the competitor in its colour and how often we meet it."""
    met = f"met on {formatting.count(row.count_deals)} ({formatting.ratio(row.encounter_rate)})"
    return f"{_dot(row.label, colors)} · {met}"


# --- trend by quarter -------------------------------------------------------------------


def _quarter_axis(frame: pd.DataFrame) -> tuple[list[str], dict[str, str]]:
    quarters = frame.drop_duplicates("quarter").sort_values("quarter_start")
    ticks = {
        q: f"{q} (part)" if partial else q
        for q, partial in zip(quarters["quarter"], quarters["is_partial"], strict=True)
    }
    return quarters["quarter"].tolist(), ticks


def _trend_hover(row) -> str:
    if row.count_closed == 0:
        return f"{row.label} · {row.quarter}: no closed deals"
    words = (
        f"{row.label} · {row.quarter}: {formatting.ratio(row.win_rate)} "
        f"({_rate_words(row.count_won, row.count_closed)})<br>"
        f"{_interval(row.win_rate_low, row.win_rate_high)}"
    )
    if row.is_partial:
        words += "<br>Only part of this quarter is in the period"
    if row.is_small:
        words += f"<br>Few deals (under {MIN_COUNT}): not part of the line"
    return words


def trend_chart(
    frame: pd.DataFrame, names: list[str], colors: dict[str, str], title: str
) -> go.Figure:
    """Win rate against each chosen competitor by quarter closed, and with no competitor as a
    dashed reference. Quarters resting on few deals are hollow grey points off the line;
    quarters only partly in the period say "(part)"."""
    order, ticks = _quarter_axis(frame)
    fig = go.Figure()
    for name in [*names, NO_COMPETITOR]:
        rows = frame[frame["label"] == name].sort_values("quarter_start")
        if rows.empty:
            continue
        color = _color(colors, name)
        small = rows["is_small"].to_numpy()
        hover = [_trend_hover(r) for r in rows.itertuples()]
        fig.add_scatter(
            x=rows["quarter"],
            y=rows["win_rate"].where(~small),
            name=name,
            legendgroup=name,
            mode="lines+markers",
            connectgaps=False,
            line=dict(color=color, width=2.5, dash="dash" if name == NO_COMPETITOR else "solid"),
            marker=dict(size=7, color=color),
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
        )
        if small.any():
            fig.add_scatter(
                x=rows["quarter"],
                y=rows["win_rate"].where(small),
                name=f"{name} (few deals)",
                legendgroup=name,
                showlegend=False,
                mode="markers",
                marker=dict(size=8, color=COLORS["neutral"], symbol="circle-open"),
                customdata=hover,
                hovertemplate="%{customdata}<extra></extra>",
            )
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title),
        height=460,
        **CONFIG_HOVER,
        legend=dict(orientation="h", yanchor="top", y=-0.18, xanchor="left", x=0),
        xaxis=dict(
            title="Quarter closed",
            type="category",
            categoryorder="array",
            categoryarray=order,
            tickmode="array",
            tickvals=order,
            ticktext=[ticks[q] for q in order],
        ),
        yaxis=dict(title="Win rate against the competitor", tickformat=".0%", rangemode="tozero"),
    )
    return fig


# --- segment × competitor ---------------------------------------------------------------


def _segment_cell(row) -> tuple[str, str]:
    """Text and hover of one heat map cell: a rival's win rate and its lift against our win
    rate with no competitor in the same segment; the no-competitor cell is that base."""
    counts = f"{formatting.count(row.count_won)} of {formatting.count(row.count_closed)}"
    hover = (
        f"<b>{row.label}</b> · {row.segment}<br>Win rate {formatting.ratio(row.win_rate)} "
        f"({_rate_words(row.count_won, row.count_closed)})<br>"
        f"{_interval(row.win_rate_low, row.win_rate_high)}"
    )
    if row.is_small:
        return f"{counts}<br>few deals", hover + f"<br>Few deals (under {MIN_COUNT}): not coloured"
    if row.label == NO_COMPETITOR:
        return f"{formatting.ratio(row.win_rate)}<br>{counts}", hover + (
            "<br>The base each competitor in this segment is measured against"
        )
    if pd.isna(row.lift) or row.base_closed < MIN_COUNT:
        hover += f"<br>No base: under {MIN_COUNT} closed deals with no competitor in this segment"
        return f"{formatting.ratio(row.win_rate)}<br>no base<br>{counts}", hover
    lift = lift_words(row.lift, row.lift_margin)
    noise = "" if abs(row.lift) > row.lift_margin else " · within noise"
    hover += (
        f"<br>With no competitor in {row.segment}: {formatting.ratio(row.base_rate)} "
        f"({_rate_words(row.base_won, row.base_closed)})"
        f"<br>Against it: {lift} (95% margin){noise}"
    )
    mark = "▼ " if row.is_weakest else ""
    if row.is_weakest:
        hover += "<br>▼ where it is strongest: our largest drop against it, beyond noise"
    return f"{mark}{formatting.ratio(row.win_rate)}<br>{lift}<br>{counts}", hover


def segment_heatmap(
    cells: pd.DataFrame,
    order: list[str],
    colors: dict[str, str],
    title: str,
) -> go.Figure:
    """Segments (rows) × competitors (columns): our win rate against each, and in points how
    far it lies from our win rate with no competitor in the same segment (the last column),
    coloured by that lift (a segment where we lose more anyway does not make a rival look
    strong); ▼ marks where each competitor is strongest (data.segment_lift). Cells with few
    deals or no base are uncoloured; a lift within noise is drawn pale (the middle)."""
    columns = [c for c in [*order, NO_COMPETITOR] if c in set(cells["label"])]
    segments = sorted(s for s in cells["segment"].unique() if s != NOT_SET)
    segments += [NOT_SET] if NOT_SET in set(cells["segment"]) else []
    z = np.full((len(segments), len(columns)), np.nan)
    text = np.full(z.shape, "", dtype=object)
    hover = np.full(z.shape, "", dtype=object)
    for row in cells.itertuples():
        if row.label not in columns:
            continue
        i, j = segments.index(row.segment), columns.index(row.label)
        text[i, j], hover[i, j] = _segment_cell(row)
        if not row.is_small and row.label != NO_COMPETITOR and pd.notna(row.lift):
            # Within noise: the pale middle (style guide: within noise is grey).
            z[i, j] = row.lift if abs(row.lift) > row.lift_margin else 0.0
    reach = float(np.nanmax(np.abs(z))) if np.isfinite(z).any() else 10.0
    reach = max(10.0, min(reach, 40.0))
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(range(len(columns))),
            y=list(range(len(segments))),
            text=text,
            texttemplate="%{text}",
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            colorscale=DIVERGING,
            zmid=0,
            zmin=-reach,
            zmax=reach,
            xgap=2,
            ygap=2,
            colorbar=dict(
                title=dict(text="Against no<br>competitor,<br>same segment"),
                ticksuffix=" pts",
                thickness=12,
            ),
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title),
        height=max(300, 150 + 80 * len(segments)),
        **CONFIG_HOVER,
        xaxis=dict(
            side="top",
            tickmode="array",
            tickvals=list(range(len(columns))),
            ticktext=[_dot(c, colors) for c in columns],
            showgrid=False,
            zeroline=False,
        ),
        yaxis=dict(
            title="Account segment",
            tickmode="array",
            tickvals=list(range(len(segments))),
            ticktext=segments,
            autorange="reversed",
            showgrid=False,
            zeroline=False,
        ),
        margin=dict(t=110),
    )
    return fig


# --- loss reasons -----------------------------------------------------------------------


def _wrap(text: str, width: int = 12) -> str:
    """A column label on short lines, so many reasons fit side by side without tilting."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return "<br>".join(lines)


def loss_reason_heatmap(
    reasons: pd.DataFrame, order: list[str], colors: dict[str, str], title: str
) -> go.Figure:
    """Competitors (rows) × loss reasons (columns): share of each one's lost deals, with the
    count in the cell. Rows add up to 100%."""
    rows = [c for c in [*order, NO_COMPETITOR] if c in set(reasons["label"])]
    totals = reasons.groupby("reason")["count_deals"].sum()
    named = totals.drop([OTHER_REASONS, NOT_RECORDED], errors="ignore")
    columns = named.sort_index().sort_values(ascending=False, kind="stable").index.tolist()
    columns += [c for c in (OTHER_REASONS, NOT_RECORDED) if c in totals.index]
    z = np.full((len(rows), len(columns)), np.nan)
    text = np.full(z.shape, "", dtype=object)
    hover = np.full(z.shape, "", dtype=object)
    lost = reasons.groupby("label")["count_deals"].sum()
    for r in reasons.itertuples():
        if r.label not in rows:
            continue
        i, j = rows.index(r.label), columns.index(r.reason)
        z[i, j] = r.share_of_losses
        text[i, j] = f"{100 * r.share_of_losses:.0f}%<br>{formatting.count(r.count_deals)}"
        hover[i, j] = (
            f"<b>{r.label}</b> · {r.reason}<br>{formatting.ratio(r.share_of_losses)} of "
            f"{formatting.count(lost[r.label])} lost deals ({formatting.count(r.count_deals)}, "
            f"{formatting.money(r.lost_amount)})"
        )
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(range(len(columns))),
            y=list(range(len(rows))),
            text=text,
            texttemplate="%{text}",
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            colorscale=LOSSES,
            zmin=0,
            zmax=float(np.nanmax(z)) if np.isfinite(z).any() else 1.0,
            xgap=2,
            ygap=2,
            colorbar=dict(title=dict(text="Share of its<br>lost deals"), tickformat=".0%"),
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=dict(text=title),
        height=max(300, 160 + 48 * len(rows)),
        **CONFIG_HOVER,
        xaxis=dict(
            side="top",
            tickmode="array",
            tickvals=list(range(len(columns))),
            ticktext=[_wrap(c) for c in columns],
            tickangle=0,
            showgrid=False,
            zeroline=False,
        ),
        yaxis=dict(
            tickmode="array",
            tickvals=list(range(len(rows))),
            ticktext=[f"{_dot(c, colors)} · {formatting.count(lost[c])} lost" for c in rows],
            autorange="reversed",
            showgrid=False,
            zeroline=False,
        ),
        margin=dict(t=110),
    )
    return fig
