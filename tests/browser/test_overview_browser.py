"""The overview in headless Chromium against the real server: tiles, chart, filter, URL."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def tile_value(page, label: str) -> str:
    tile = page.locator("[data-testid=stMetric]").filter(has_text=label)
    return tile.locator("[data-testid=stMetricValue]").inner_text()


def test_overview_loads_filters_and_shares_the_url(server, page):
    page.goto(server, timeout=60_000)
    # The server started on an empty file: the sample was generated, loaded and is announced.
    expect(page.locator("[data-testid=stMetric]")).to_have_count(7, timeout=90_000)
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("You are looking at sample data", exact=False)).to_be_visible()
    expect(page).to_have_url(re.compile(r"from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}"))
    before = tile_value(page, "Won amount")
    assert before.startswith("$")

    segment = page.get_by_role("combobox", name="Segment", exact=False)
    segment.click()
    page.get_by_role("option", name="Enterprise").click()
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(r"segment=Enterprise"), timeout=30_000)
    expect(
        page.locator("[data-testid=stMetric]")
        .filter(has_text="Won amount")
        .locator("[data-testid=stMetricValue]")
    ).not_to_have_text(before, timeout=30_000)
    after = tile_value(page, "Won amount")
    assert after.startswith("$") and after != before

    # The URL is the view: a new tab opened on it shows the same filtered numbers.
    shared = page.url
    other = page.context.new_page()
    other.goto(shared, timeout=60_000)
    expect(other.locator("[data-testid=stMetric]")).to_have_count(7, timeout=60_000)
    expect(
        other.locator("[data-testid=stMetric]")
        .filter(has_text="Won amount")
        .locator("[data-testid=stMetricValue]")
    ).to_have_text(after, timeout=30_000)

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)
