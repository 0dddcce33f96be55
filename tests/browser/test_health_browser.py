"""The health page in headless Chromium against the real server: tiles, what-if weight slider."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def tile_value(page, label: str) -> str:
    tile = page.locator("[data-testid=stMetric]").filter(has_text=label).first
    return tile.locator("[data-testid=stMetricValue]").inner_text()


def test_health_page_weight_slider_re_scores(server, page):
    page.goto(f"{server}/health", timeout=90_000)
    expect(page.get_by_role("heading", name="Four-C health", exact=True)).to_be_visible(
        timeout=90_000
    )
    tiles = page.locator("[data-testid=stMetric]")
    expect(tiles).to_have_count(5, timeout=60_000)
    expect(page.locator(".js-plotly-plot")).to_have_count(2, timeout=60_000)
    expect(page.get_by_text(re.compile("Weakest part:"))).to_be_visible()
    expect(page.get_by_text("Least healthy customers")).to_be_visible(timeout=60_000)
    expect(
        page.get_by_text(re.compile("every deal, order, touch and survey answer"))
    ).to_be_visible(timeout=60_000)
    before = tile_value(page, "Customer")
    assert re.fullmatch(r"\d+", before)
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 3600})
    page.screenshot(path=str(ARTIFACTS / "health.png"), full_page=True)

    # Customer = complete profiles (x1) and logo retention (x2); retention's weight to 0
    # leaves complete profiles alone, which scores differently on the sample.
    page.get_by_text(re.compile("What if")).click()
    slider = page.get_by_role("slider", name=re.compile("Weight · Logo retention"))
    expect(slider).to_be_visible(timeout=30_000)
    slider.focus()
    page.keyboard.press("Home")
    expect(page.get_by_role("slider", name=re.compile("Weight · Logo retention"))).to_have_value(
        "0", timeout=30_000
    )
    expect(
        tiles.filter(has_text="Customer").first.locator("[data-testid=stMetricValue]")
    ).not_to_have_text(before, timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "health_what_if.png"), full_page=True)
