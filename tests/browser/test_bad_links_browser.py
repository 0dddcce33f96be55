"""Issue 21, point 2: links that crashed every page with a traceback, on the real server.

Each bad link is opened on every page (local mode: the admin, so Import and Access too); the
page must render its title and the repair note, with no exception element, no traceback, no
error sentence of the boundary. The garbage link sets every URL key the app reads, including
the page keys (preset, measure, stage, breakdown) and the sidebar's; it must not crash either."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

PAGES = {
    "": "Overview",
    "funnel": "Funnel",
    "retention": "Retention cohorts",
    "satisfaction": "Satisfaction",
    "competitors": "Competitors",
    "health": "Four-C health",
    "import": "Import your CRM data",
    "access": "Access",
}
GARBAGE = "&".join(
    f"{key}={value}"
    for key in (
        "period", "from", "to", "segment", "region", "owner", "team",
        "preset", "measure", "stage", "breakdown",
    )
    for value in ("%27%3B--", "x" * 300, "%00", "9999-99-99")
)  # fmt: skip
LINKS = {
    "from after the data, no to": ("from=2026-11-15", "The link's dates were repaired"),
    "to before the data": ("to=2023-01-01", "The link's dates were repaired"),
    "year 1": ("from=0001-01-01&to=0001-01-02", "The link's dates were repaired"),
    "year 9999": ("from=9999-12-31", "The link's dates were repaired"),
    "garbage in every key": (GARBAGE, "The link's"),
}


@pytest.mark.parametrize("path", list(PAGES))
def test_every_bad_link_on_every_page_shows_the_page_and_a_note(server, browser, path):
    for name, (query, note) in LINKS.items():
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(f"{server}/{path}?{query}", timeout=90_000)
        expect(page.get_by_role("heading", name=PAGES[path], exact=True)).to_be_visible(
            timeout=120_000
        )
        expect(page.get_by_text(note).first).to_be_visible(timeout=60_000)
        expect(page.locator("[data-testid=stStatusWidget]")).to_have_count(0, timeout=120_000)
        main = page.locator("[data-testid=stMain]").inner_text()
        assert page.locator("[data-testid=stException]").count() == 0, (path, name, main)
        assert "Traceback" not in main and "Error:" not in main, (path, name)
        assert "could not be shown" not in main, (path, name)  # the boundary did not fire
        if path == "" and name == "year 9999":
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "bad_link_repaired.png"))
        context.close()


def test_a_repaired_link_rewrites_the_address_and_the_note_goes_once_filters_change(server, page):
    page.goto(f"{server}/?from=0001-01-01&to=0001-01-02", timeout=90_000)
    expect(page.get_by_text("The link's dates were repaired")).to_be_visible(timeout=120_000)
    expect(page).to_have_url(re.compile(r"from=\d{4}-\d\d-\d\d&to=\d{4}-\d\d-\d\d"), timeout=60_000)
    assert "0001" not in page.url
    page.get_by_role("combobox", name="Period").click()
    page.get_by_role("option", name="All time").click()
    expect(page.get_by_text("The link's dates were repaired")).to_have_count(0, timeout=60_000)
    expect(page).to_have_url(re.compile("period=all"), timeout=60_000)
