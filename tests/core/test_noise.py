"""The 95% margins of a tile's change (issue 19, point 3), worked out by hand."""

import pytest

from dashboard.core import noise
from dashboard.core.tiles import Tile, delta_shown


def tile(key, delta, higher_is_better=True):
    return Tile(key, key, "1", delta, higher_is_better, "", "")


def test_count_change_is_poisson():
    # 100 new customers now, 110 before: change (100 - 110)/110 = -9.09%.
    # Margin 1.96·√(100 + 110) = 1.96·14.491 = 28.40 customers = 28.40/110 = 25.82% of 110.
    margin, change = noise.count_change(100, 110)
    assert margin == pytest.approx(25.82, abs=0.01)
    assert change == pytest.approx(-9.09, abs=0.01)
    assert noise.count_change(5, 0) is None  # no base, no relative change
    assert noise.count_change(None, 3) is None


def test_share_change_is_binomial_in_points():
    # Win rate 30 of 100 now, 40 of 100 before: change -10 pts.
    # Margin 1.96·100·√(.3·.7/100 + .4·.6/100) = 196·√.0045 = 196·0.067082 = 13.15 pts.
    margin, change = noise.share_change(30, 100, 40, 100)
    assert margin == pytest.approx(13.15, abs=0.01)
    assert change == pytest.approx(-10.0)
    assert noise.share_change(3, 0, 4, 10) is None


def test_kpi_tiles_within_their_margin_are_grey_and_marked():
    # New customers 100 vs 110 (-9.1%, ±25.8%): within noise, grey, no minus sign.
    # Win rate 30/100 vs 40/100 (-10.0 pts, ±13.1 pts): within noise.
    # NPS: 50 promoters, 20 detractors of 100 now (30) vs 40/30 of 100 (10): +20 pts.
    #   now: p=.5, d=.2: .5+.2-(.3)² = .61; 196·√(.61/100) = 15.31
    #   before: p=.4, d=.3: .7-.01 = .69; 196·√(.69/100) = 16.28
    #   difference √(15.31² + 16.28²) = 22.35: +20 is within noise.
    now = dict(new_customers=100, deals_won=30, deals_closed=100, won_amount=None,
               nps=30.0, nps_promoters=50, nps_detractors=20, nps_responses=100,
               csat_satisfied=0, csat_responses=0)  # fmt: skip
    before = dict(new_customers=110, deals_won=40, deals_closed=100, won_amount=None,
                  nps=10.0, nps_promoters=40, nps_detractors=30, nps_responses=100,
                  csat_satisfied=0, csat_responses=0)  # fmt: skip
    changes = noise.kpi_changes(now, before)
    assert changes["nps"][0] == pytest.approx(22.35, abs=0.01)
    assert "csat" not in changes and "won_amount" not in changes
    cards = [
        tile("new_customers", "-9.1%"),
        tile("win_rate", "-10.0 pts"),
        tile("nps", "+20.0 pts"),
    ]
    shown = [delta_shown(t) for t in noise.judged(cards, changes)]
    assert shown == [
        ("9.1% · within noise (±25.8%)", "off", "down"),
        ("10.0 pts · within noise (±13.1 pts)", "off", "down"),
        ("20.0 pts · within noise (±22.3 pts)", "off", "up"),
    ]


def test_a_change_beyond_its_margin_keeps_its_colour():
    # 200 new customers vs 100: +100%, margin 1.96·√300/100 = 33.9%: beyond noise, green.
    changes = noise.kpi_changes({"new_customers": 200}, {"new_customers": 100})
    judged = noise.judged([tile("new_customers", "+100.0%")], changes)[0]
    assert delta_shown(judged) == ("100.0%", "green", "up")
