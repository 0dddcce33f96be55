"""Charts a careful reader would not redraw (issue 19, point 6): the overview's amount and win
rate on two aligned panels, no yellow line colour."""

from datetime import date

import pandas as pd

from dashboard.analytics.overview import charts as overview_charts
from dashboard.core.theme import SERIES


def test_won_amount_and_win_rate_are_two_panels_on_one_month_axis():
    trend = pd.DataFrame(
        {
            "month_start": [date(2026, 1, 1), date(2026, 2, 1)],
            "won_amount": [1000.0, 3000.0],
            "deals_won": [2, 3],
            "deals_closed": [5, 10],
            "win_rate": [0.4, 0.3],
        }
    )
    fig = overview_charts.won_trend_chart(trend, "t")
    bars, line = fig.data
    assert (bars.xaxis, bars.yaxis) == ("x", "y") and (line.xaxis, line.yaxis) == ("x2", "y2")
    assert fig.layout.xaxis.matches == "x2"  # shared: the months line up
    assert fig.layout.yaxis2.overlaying is None  # its own panel, not squashed on 0-100%
    assert fig.layout.yaxis2.range is None and fig.layout.yaxis2.rangemode == "tozero"
    assert fig.layout.yaxis.domain[0] > fig.layout.yaxis2.domain[1]  # amount above, rate below


def test_no_yellow_among_line_colours():
    assert "#F0E442" not in SERIES and len(set(SERIES)) == len(SERIES) == 8
