"""Roles through the real server and a real header: `crm-dashboard serve` with a roles file and
$CRM_DASHBOARD_TRUSTED_HEADER, Chromium sending the header as a proxy in front would.

The header is added by a proxy on every request head, the websocket's too
(tests/browser/header_proxy.py). Checks that st.context.headers sees the header over the
websocket, that a manager's sidebar and numbers stay inside the grant, that Import is not
offered to her (nor served by URL), and that a request without the header gets the no-access
page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import header_proxy
from tests.browser.conftest import ARTIFACTS, start_server, stop_server

pytestmark = pytest.mark.browser
HEADER = "X-Forwarded-Email"
ROLES = """
[people]
"exec@example.com" = "viewer"
"ana@example.com" = "analyst"
"maria@example.com" = { role = "manager", segments = ["SMB"], regions = ["EMEA"] }
"""


@pytest.fixture(scope="module")
def roles_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roles")
    (folder / "roles.toml").write_text(ROLES, encoding="utf-8")
    proc, url = start_server(
        folder / "w.duckdb",
        CRM_DASHBOARD_ROLES=str(folder / "roles.toml"),
        CRM_DASHBOARD_TRUSTED_HEADER=HEADER,
    )
    try:
        yield url
    finally:
        stop_server(proc)


def open_as(browser, url: str, person: str | None):
    """The app as the identity-aware proxy in front of it serves `person` (None: no header)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(header_proxy.through(url, (HEADER, person)) if person else url, timeout=60_000)
    return page


def test_without_the_header_nobody_gets_in(roles_server, browser):
    page = open_as(browser, roles_server, None)
    expect(page.get_by_text("No access", exact=True)).to_be_visible(timeout=90_000)
    expect(page.get_by_text("Ask an admin", exact=False)).to_be_visible()
    expect(page.locator("[data-testid=stMetric]")).to_have_count(0)
    page.context.close()


def test_a_manager_sees_only_her_grant_and_no_import(roles_server, browser):
    # An analyst first: the first start loads the sample; Import is in her navigation.
    ana = open_as(browser, roles_server, "ana@example.com")
    expect(ana.locator("[data-testid=stMetric]")).to_have_count(7, timeout=120_000)
    expect(ana.get_by_role("link", name="Import")).to_be_visible()
    everyone = ana.locator("[data-testid=stMetric]").filter(has_text="Won amount")
    everyone_won = everyone.locator("[data-testid=stMetricValue]").inner_text()
    ana.context.close()

    page = open_as(browser, roles_server, "maria@example.com")
    expect(page.locator("[data-testid=stMetric]")).to_have_count(7, timeout=90_000)
    expect(
        page.get_by_text("Signed in as maria@example.com · manager", exact=False)
    ).to_be_visible()
    won = page.locator("[data-testid=stMetric]").filter(has_text="Won amount")
    mine = won.locator("[data-testid=stMetricValue]").inner_text()
    assert mine.startswith("$") and mine != everyone_won  # SMB in EMEA is a slice
    expect(page.get_by_role("link", name="Import")).to_have_count(0)
    segment = page.get_by_role("combobox", name="Segment", exact=False)
    segment.click()
    options = page.get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_have_text("SMB")
    page.keyboard.press("Escape")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "roles_manager.png"), full_page=True)

    # a link that asks for another segment cannot widen the view
    maria = header_proxy.through(roles_server, (HEADER, "maria@example.com"))
    page.goto(f"{maria}/?period=all&segment=Enterprise&region=APAC", timeout=60_000)
    expect(page.locator("[data-testid=stMetric]")).to_have_count(7, timeout=60_000)
    expect(page).not_to_have_url(re.compile(r"segment=Enterprise"), timeout=30_000)
    # the import page by URL is not served to her
    page.goto(f"{maria}/import", timeout=60_000)
    expect(page.locator("[data-testid=stMetric]")).to_have_count(7, timeout=60_000)
    expect(page.get_by_text("Import your CRM data")).to_have_count(0)
    expect(page.locator("[data-testid=stFileUploader]")).to_have_count(0)
    page.context.close()
