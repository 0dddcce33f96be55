"""Negative numbers in the satisfaction and competitor hovers take the minus sign "−", as
the rest of the product writes them (fix19a point 6: they read "-3.2", a hyphen)."""

import pandas as pd

from dashboard.analytics.competitors import charts as competitor_charts
from dashboard.analytics.satisfaction import charts as satisfaction_charts
from dashboard.core import formatting


def test_satisfaction_hover_writes_a_negative_nps_with_the_minus_sign():
    text = satisfaction_charts._hover("nps", -3.2, 8.0, 120, "Jan 2026")
    assert "−3" in text and "-3" not in text


def test_competitor_map_hover_writes_a_fall_with_the_minus_sign():
    row = pd.Series(
        {
            "label": "Acme",
            "count_deals": 40,
            "encounter_rate": 0.2,
            "win_rate": 0.30,
            "count_won": 12,
            "count_closed": 40,
            "win_rate_low": 0.18,
            "win_rate_high": 0.45,
            "amount_closed": float("nan"),
            "previous_win_rate": 0.332,
            "previous_count_closed": 50,
            "is_small": False,
        }
    )
    text = competitor_charts._map_hover(next(pd.DataFrame([row]).itertuples()), "2025")
    assert f"{formatting.MINUS}3.2 pts vs 2025" in text and "-3.2" not in text
