"""The competitor page in headless Chromium against the real server: tiles, map hover, trend."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def test_competitor_page_coverage_map_hover_and_whole_history(server, page):
    page.goto(f"{server}/competitors", timeout=90_000)
    expect(page.get_by_role("heading", name="Competitors", exact=True)).to_be_visible(
        timeout=90_000
    )
    charts = page.locator(".js-plotly-plot")
    expect(charts).to_have_count(4, timeout=60_000)
    # Coverage comes first, as a share with its counts; the sample names one on ~60% of deals.
    tiles = page.locator("[data-testid=stMetric]")
    expect(tiles).to_have_count(4)
    expect(tiles.first).to_contain_text("Competitor recorded")
    assert re.fullmatch(
        r"\d+\.\d%", tiles.first.locator("[data-testid=stMetricValue]").inner_text()
    )
    expect(tiles.nth(3)).to_contain_text("Hurts most: Acmetrics")
    expect(page.get_by_text("Acmetrics hurts most")).to_be_visible()
    expect(page.get_by_text(re.compile("no list price"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"/competitors\?.*from=\d{4}-\d{2}-\d{2}"))

    # Hovering a bubble of the positioning map gives its counts.
    positioning = charts.first
    positioning.scroll_into_view_if_needed()
    points = positioning.locator(".scatterlayer .point")
    expect(points.first).to_be_visible()
    hover = positioning.locator(".hoverlayer")
    for i in range(points.count()):
        box = points.nth(i).bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(300)
        if "Acmetrics" in (hover.text_content() or ""):
            break
    expect(hover).to_contain_text("Acmetrics", timeout=10_000)
    expect(hover).to_contain_text(re.compile(r"[\d,]+ won of [\d,]+ closed"))
    expect(hover).to_contain_text("95% interval")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "competitors.png"), full_page=True)

    # The trend over the whole history starts in the sample's first quarter (2023 Q4).
    trend = charts.nth(1)
    expect(trend.get_by_text("2023 Q4")).to_have_count(0)
    page.get_by_text("Whole history").click()
    expect(trend.get_by_text(re.compile(r"2023 Q4"))).to_be_visible(timeout=30_000)
    expect(trend.get_by_text("Dynalytics")).to_be_visible()
    expect(trend.get_by_text(re.compile("by quarter closed · all quarters"))).to_be_visible()
    page.set_viewport_size({"width": 1400, "height": 4200})
    page.screenshot(path=str(ARTIFACTS / "competitors_full.png"))
