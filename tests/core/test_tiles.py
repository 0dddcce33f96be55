"""How a tile's change is drawn (issue 19 points 2 and 3)."""

from dashboard.core.tiles import Tile, delta_shown, within_noise


def tile(delta, higher_is_better=True, **kw):
    return Tile("k", "Label", "1", delta, higher_is_better, "", "", **kw)


def test_no_change_is_grey_without_an_arrow_and_says_so():
    # Before: "↑ +0 days" was red (inverse colour on a plus sign), "↑ +0.0 pts" green.
    assert delta_shown(tile("+0 days", higher_is_better=False)) == ("no change", "off", "off")
    assert delta_shown(tile("+0.0 pts")) == ("no change", "off", "off")


def test_colour_follows_whether_the_change_is_good_for_the_measure():
    # A longer sales cycle is bad news: inverse (red for up); a higher win rate good news.
    assert delta_shown(tile("+2 days", higher_is_better=False)) == ("2 days", "red", "up")
    assert delta_shown(tile("+4.5 pts")) == ("4.5 pts", "green", "up")
    assert delta_shown(tile("-3 days", higher_is_better=False)) == ("3 days", "green", "down")
    assert delta_shown(tile("-2.3%")) == ("2.3%", "red", "down")
    assert delta_shown(tile(None))[0] is None


def test_a_change_within_the_margin_is_grey_and_marked():
    # NPS +14.5 with a margin of the difference of ±18: within noise.
    quiet = within_noise(tile("+14.5 pts"), 18.0, "±18", change=14.5)
    assert quiet.delta == "+14.5 pts · within noise (±18)"
    assert delta_shown(quiet) == ("14.5 pts · within noise (±18)", "off", "up")
    # +19.4 against ±7: beyond noise, left as it was (green).
    loud = within_noise(tile("+19.4 pts"), 7.0, "±7", change=19.4)
    assert loud.delta == "+19.4 pts" and delta_shown(loud)[1] == "green"
    # No margin (too few answers): left alone.
    assert within_noise(tile("+3.0 pts"), None).delta == "+3.0 pts"
    # Without the exact change, the shown number is judged: 12.0 <= 12.
    assert within_noise(tile("-12.0 pts"), 12.0).delta == "-12.0 pts · within noise (±12)"


def test_the_direction_is_shown_once_by_the_arrow():
    # Before: "↓ -2.3%" (arrow and minus sign). The arrow stays, the sign goes.
    text, _, arrow = delta_shown(tile("-2.3%"))
    assert (text, arrow) == ("2.3%", "down")
    assert delta_shown(tile("-1 point", higher_is_better=True))[0] == "1 point"
