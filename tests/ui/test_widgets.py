"""Shared page pieces (issue 19 point 7)."""

from dashboard.core.theme import COLORS
from dashboard.ui import widgets


def test_confidence_bars_are_the_neutral_blue_not_alarm_red():
    # Without a colour Streamlit draws progress in its primary red: a 100% match read as an
    # alarm on the import page's mapping grid.
    config = widgets.confidence_column()["type_config"]
    assert config["color"] == COLORS["open"] == "#0072B2"
    assert (config["min_value"], config["max_value"], config["format"]) == (0.0, 1.0, "percent")
