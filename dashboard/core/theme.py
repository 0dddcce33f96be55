"""One Plotly template and one colour per meaning, shared by every page's charts."""

from __future__ import annotations

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
