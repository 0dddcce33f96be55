"""The sales-cycle histogram is counted on the server: the same weekly bars, a few numbers sent."""

import json

import numpy as np
import pandas as pd
import plotly.io as pio

from dashboard.analytics.funnel import charts


def test_weekly_bins_count_as_the_histogram_did():
    # [0, 7): 0, 3, 6.5 -> 3 · [7, 14): 7, 13.9 -> 2 · [14, 21): 14 -> 1 · -1 and NaN: no bin
    days = pd.Series([0, 3, 6.5, 7, 13.9, 14, -1, np.nan])
    bins = charts.weekly_bins(days)
    assert bins["start"].tolist() == [0, 7, 14]
    assert bins["count"].tolist() == [3, 2, 1]
    assert bins["days"].tolist() == ["0–6 days", "7–13 days", "14–20 days"]


def test_chart_sends_one_number_a_week_not_one_a_deal():
    # 70,000 won deals, 100 on each day 0-699: 100 weekly bars of 700, not 70,000 numbers.
    cycles = pd.DataFrame({"cycle_days": np.arange(70_000) % 700})
    fig = charts.sales_cycle_chart(cycles, 349.5, 524.0, "t")
    bar = fig.data[0]
    assert bar.type == "bar" and bar.width == 7
    assert len(bar.x) == 100 and sum(bar.y) == 70_000 and set(bar.y) == {700}
    assert len(json.dumps(pio.to_json(fig))) < 30_000  # was ~1.1 MB at a million deals
