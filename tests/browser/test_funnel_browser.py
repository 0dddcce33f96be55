"""The funnel page in headless Chromium: click a stage bar, see who went no further."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def test_clicking_a_stage_bar_lists_the_deals_that_stopped_there(server, page):
    page.goto(f"{server}/funnel", timeout=60_000)
    expect(page.get_by_role("heading", name="Funnel")).to_be_visible(timeout=90_000)
    chart = page.locator(".js-plotly-plot").first
    expect(chart).to_be_visible(timeout=60_000)
    bars = chart.locator("g.trace.bars g.point path")
    expect(bars).to_have_count(6, timeout=30_000)  # Sales Pipeline: 5 open stages + won
    # The default list is the biggest leak; clicking "Needs Analysis" (third bar) replaces it.
    dropoff = page.get_by_text(re.compile(r"^Reached .+ and went no further"))
    expect(dropoff).to_be_visible(timeout=30_000)
    expect(dropoff).not_to_contain_text("Reached Needs Analysis")

    box = bars.nth(2).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    expect(dropoff).to_contain_text("Reached Needs Analysis and went no further", timeout=30_000)
    picker = page.get_by_role("combobox", name="Deals that went no further", exact=False)
    expect(picker).to_have_value(re.compile("^Needs Analysis"))  # the click moved the picker
    listed = re.search(r"went no further: ([\d,]+) deals", dropoff.inner_text()).group(1)
    assert int(listed.replace(",", "")) > 0
    expect(page.get_by_role("button", name=re.compile("Download this table"))).not_to_have_count(0)

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "funnel.png"), full_page=True)
