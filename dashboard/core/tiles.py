"""A KPI tile as every page shows it: value, change, basis and definition."""

from __future__ import annotations

from dataclasses import dataclass, replace

from dashboard.core import formatting


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    value: str
    delta: str | None
    higher_is_better: bool
    caption: str
    help: str
    no_data: str | None = None  # why the value is "—" and what to map, when its input is missing
    # "neutral" draws the change grey whatever its sign: a change within the page's own noise
    # test (see `within_noise`); None colours it by whether it is good news for the measure.
    delta_tone: str | None = None


def delta_shown(tile: Tile) -> tuple[str | None, str, str]:
    """What a tile's change looks like: (text, colour, arrow) for `st.metric`'s delta,
    delta_color and delta_arrow. No change once rounded is grey, says "no change" and has no
    arrow; a change within noise is grey with its arrow; otherwise green when it is good news
    for the measure (a longer sales cycle is red), red when bad. The direction is shown once:
    the arrow, and the text without its sign ("↓ 2.3%", never "↓ -2.3%")."""
    if tile.delta is None:
        return None, "off", "off"
    if formatting.is_no_change(tile.delta):
        return formatting.NO_CHANGE, "off", "off"
    down = tile.delta.startswith(("-", "−"))
    text, arrow = tile.delta.lstrip("+-−"), "down" if down else "up"
    if tile.delta_tone == "neutral":
        return text, "off", arrow
    good = down != tile.higher_is_better
    return text, "green" if good else "red", arrow


def within_noise(
    tile: Tile,
    margin: float | None,
    margin_text: str | None = None,
    change: float | None = None,
    beyond: bool = False,
) -> Tile:
    """The tile with its change greyed and marked "within noise (±N)" when the change is no
    larger than the margin of error the page itself reports (same units as the change);
    `margin_text` is the margin as the page writes it (default "±N", whole); `change` the
    exact change, so that the tile and the page's sentence judge the same number (default:
    the number the delta shows). With `beyond`, a larger change keeps its colour and says
    "beyond noise (±N)": the tile shows the one margin its verdict rests on."""
    if tile.delta is None or margin is None or formatting.is_no_change(tile.delta):
        return tile
    size = abs(change) if change is not None else _delta_size(tile.delta)
    if size is None:
        return tile
    shown = margin_text or f"±{margin:.0f}"
    if size > margin:
        return replace(tile, delta=formatting.beyond_noise(tile.delta, shown)) if beyond else tile
    return replace(tile, delta=formatting.within_noise(tile.delta, shown), delta_tone="neutral")


def untested(tile: Tile) -> Tile:
    """A change no noise test can judge (a stock at a date, a figure with no known spread):
    grey, with "no noise test for this figure" under the tile, never red or green."""
    if tile.delta is None or formatting.is_no_change(tile.delta):
        return tile
    return replace(tile, delta=formatting.untested(tile.delta), delta_tone="neutral")


def _delta_size(text: str) -> float | None:
    """The absolute number at the start of a delta text ("+14.5 pts" -> 14.5)."""
    head = text.split(" ")[0].rstrip("%").replace(",", "")
    try:
        return abs(float(head))
    except ValueError:
        return None
