"""The digest colours a tile's change by the app's rule (tiles.delta_shown): never red or green
for a change within noise or with no noise test (issue 19, point 3)."""

from dashboard.analytics.digest.render import _tone
from dashboard.core.tiles import Tile, untested, within_noise


def _tile(delta: str) -> Tile:
    return Tile("k", "K", "1", delta, True, "", "")


def test_digest_tone_follows_the_noise_test():
    assert _tone(_tile("+4.5 pts")) == "good"
    assert _tone(_tile("-4.5 pts")) == "bad"
    # Before: "+2.3% · within noise (±12.0%)" read as good news by its plus sign.
    assert _tone(within_noise(_tile("+2.3%"), 12.0, "±12.0%")) == "flat"
    assert _tone(untested(_tile("+16.0%"))) == "flat"
    assert _tone(_tile("+0 days")) == "flat"
