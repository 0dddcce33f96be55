"""The retention page in headless Chromium against the real server: triangle, options, hover."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def test_retention_triangle_options_and_in_progress_week(server, page):
    page.goto(f"{server}/retention", timeout=90_000)
    expect(page.get_by_role("heading", name="Retention cohorts")).to_be_visible(timeout=90_000)
    charts = page.locator(".js-plotly-plot")
    expect(charts).to_have_count(2, timeout=60_000)
    # Default period (last 12 months): churn and revenue retention against the year before.
    tiles = page.locator("[data-testid=stMetric]")
    expect(tiles).to_have_count(3)
    assert re.fullmatch(
        r"\d+\.\d%", tiles.first.locator("[data-testid=stMetricValue]").inner_text()
    )
    triangle = charts.first
    expect(triangle.get_by_text("All cohorts · weighted")).to_be_visible()
    expect(triangle.get_by_text("Months since first order")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/retention\?.*from=\d{4}-\d{2}-\d{2}"))

    # Hovering the top-left cell (the average row, month 0) explains it with counts.
    box = triangle.locator(".nsewdrag").first.bounding_box()
    page.mouse.move(box["x"] + 8, box["y"] + 8)
    expect(triangle.locator(".hoverlayer")).to_contain_text("All cohorts, month 0", timeout=10_000)
    expect(triangle.locator(".hoverlayer")).to_contain_text("customers")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "retention.png"), full_page=True)

    # Weekly cohorts: the data ends on a Saturday, so the last week is in progress (hatched).
    page.get_by_role("combobox", name="Cohort by").click()
    page.get_by_role("option", name="Week").click()
    expect(triangle.get_by_text("Weeks since first order")).to_be_visible(timeout=30_000)
    expect(triangle.get_by_text(re.compile("In progress"))).to_be_visible()

    page.get_by_text("One curve per segment").click()
    curves = page.locator(".js-plotly-plot").nth(1)
    expect(curves.get_by_text("All segments")).to_be_visible(timeout=30_000)
    expect(curves.get_by_text("Enterprise")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "retention_weekly.png"), full_page=True)
