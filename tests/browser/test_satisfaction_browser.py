"""The satisfaction page in headless Chromium against the real server: tiles, the trend with
its margins and greyed periods, hover counts, a measure switch and the comment search."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def comments_shown(page) -> int:
    caption = page.get_by_text(re.compile(r"^[\d,]+ comments? · ")).first
    return int(caption.inner_text().split(" ")[0].replace(",", ""))


def test_satisfaction_trend_hover_measure_and_search(server, page):
    page.goto(f"{server}/satisfaction", timeout=90_000)
    expect(page.get_by_role("heading", name="Satisfaction", exact=True)).to_be_visible(
        timeout=90_000
    )
    charts = page.locator(".js-plotly-plot")
    expect(charts).to_have_count(4, timeout=60_000)  # trend, shares, breakdown, behaviour
    tiles = page.locator("[data-testid=stMetric]")
    expect(tiles).to_have_count(3)
    expect(tiles.first).to_contain_text("NPS")
    # One margin per tile, named by its verdict (before: "±5 · 1,095 answers" beside it).
    expect(page.get_by_text(re.compile(r"^(Within|Beyond) noise \(±\d+\.\d pts\) · [\d,]+ "
                                       r"answers$")).first).to_be_visible()  # fmt: skip
    trend = charts.first
    expect(trend.get_by_text(re.compile(r"NPS by month · \d+ \w+ \d{4}"))).to_be_visible()
    # The sample surveys NPS once a quarter: the months between hold few answers, greyed.
    expect(trend.get_by_text("Fewer than 30 answers (too few to read)")).to_be_visible()
    expect(page.get_by_role("heading", name="Changes that matter")).to_be_visible()
    rose = re.compile(r"NPS rose from [−-]?\d+ to \d+ \(±\d+\.\d pts\): beyond noise")
    expect(page.get_by_text(rose).first).to_be_visible()
    expect(page).to_have_url(re.compile(r"/satisfaction\?.*from=\d{4}-\d{2}-\d{2}"))

    # Hovering a reliable point gives its value, margin and answer count.
    point = trend.locator(".scatterlayer .trace").first.locator("path.point").first
    point.scroll_into_view_if_needed()
    box = point.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(trend.locator(".hoverlayer")).to_contain_text("answers", timeout=10_000)
    expect(trend.locator(".hoverlayer")).to_contain_text("±")
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 5200})
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "satisfaction.png"), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})

    # Switch to CSAT: the trend follows, and there is no promoter chart any more.
    page.get_by_role("radiogroup", name="Measure").get_by_role("radio", name="CSAT").click()
    expect(trend.get_by_text(re.compile(r"CSAT by month"))).to_be_visible(timeout=30_000)
    expect(charts).to_have_count(3, timeout=30_000)

    # Search the comments: fewer match, and the search is bound as data, never as SQL.
    before = comments_shown(page)
    box = page.get_by_label("Comment contains")
    box.fill("pricing")
    box.press("Enter")
    expect(page.get_by_text(re.compile(r"^[\d,]+ comments? · "))).not_to_have_text(
        re.compile(rf"^{before:,} comments"), timeout=30_000
    )
    assert 0 < comments_shown(page) < before
    box.fill("' or 1=1 --")
    box.press("Enter")
    empty = page.get_by_text('No comments containing "\' or 1=1 --"')
    expect(empty).to_be_visible(timeout=30_000)
    empty.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "satisfaction_search.png"), full_page=True)
