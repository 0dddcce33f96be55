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
# Lines and rings: no yellow (#F0E442 is 1.2:1 on white, unreadable as a line); its place goes
# to the indigo of Paul Tol's colour-blind-safe "muted" scheme. Yellow stays a fill (passives).
SERIES = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#332288", "#000000"]

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
# Merged once here: "plotly_white+crm" was merged again for every figure (deep copies of the
# whole plotly_white template, ~10 ms a chart, five charts on the funnel page on every rerun).
pio.templates["crm_white"] = pio.templates.merge_templates("plotly_white", "crm")
TEMPLATE = "crm_white"
