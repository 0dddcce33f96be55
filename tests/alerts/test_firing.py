"""When a rule fires, worked out by hand: above/below are strict, a change fires at the amount."""

from __future__ import annotations

import pytest

from dashboard.alerts.firing import decide, show_change
from dashboard.alerts.rules import Rule


def rule(comparison: str, amount: float, relative: bool = False, metric: str = "win_rate"):
    return Rule("r", metric, comparison, amount, relative, "last-30-days")


@pytest.mark.parametrize(
    ("comparison", "amount", "relative", "value", "previous", "fires"),
    [
        ("below", 0.25, False, 0.2499, None, True),
        ("below", 0.25, False, 0.25, None, False),  # strict: equal is not below
        ("above", 0.25, False, 0.25, None, False),
        ("above", 0.25, False, 0.2501, None, True),
        # win rate 0.60 -> 0.50: a fall of 0.10 (10 points), or of 1/6 = 16.7%
        ("falls by", 0.10, False, 0.50, 0.60, True),
        ("falls by", 0.11, False, 0.50, 0.60, False),
        ("falls by", 16.6, True, 0.50, 0.60, True),
        ("falls by", 16.7, True, 0.50, 0.60, False),  # 16.67% < 16.7%
        ("rises by", 0.05, False, 0.50, 0.60, False),  # it fell: a rise never fires
        ("changes by", 0.10, False, 0.50, 0.60, True),  # either way
        ("changes by", 0.10, False, 0.70, 0.60, True),
        # 0.25 -> 0.275 is exactly a 10% rise, though floats make it 9.999999999999996%
        ("rises by", 10, True, 0.275, 0.25, True),
        ("rises by", 10, True, 0.27, 0.25, False),  # 8%
    ],
)
def test_decide_by_hand(comparison, amount, relative, value, previous, fires):
    assert decide(rule(comparison, amount, relative), value, previous) == (fires, None)


def test_no_value_never_fires_nor_clears():
    assert decide(rule("below", 0.25), None, None) == (None, "no value")
    assert decide(rule("falls by", 0.1), 0.5, None)[0] is None
    # a % change from zero means nothing: not a firing
    fires, why = decide(rule("rises by", 10, True, "won_amount"), 500.0, 0.0)
    assert fires is None and "0" in why


def test_changes_are_shown_in_the_metrics_terms():
    assert show_change(rule("falls by", 0.05), 0.05) == "5.0 pts"
    assert show_change(rule("falls by", 10, True), 10) == "10%"
    assert show_change(rule("falls by", 50000, metric="won_amount"), 50000) == "$50.0K"
    assert show_change(rule("changes by", 5, metric="nps"), 5) == "5.0 pts"
