"""The "What changed" panel in the browser: import a deals file through the import page of
the real server (sample kept), see the panel there, then on the overview, and follow a link.

deals-update.csv against the sample: DEAL-000001 Closed Lost -> Negotiation (reopened),
DEAL-000002 Closed Lost -> Closed Won (won), DEAL-900001 new, naming Zephyr Analytics, whom
no sample deal names (the sample's competitors are Acmetrics, Brightfield, Corvia,
Dynalytics, Evergrid).
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, start_server, stop_server

pytestmark = pytest.mark.browser

DEALS = (
    "deal_id,account_id,deal_name,pipeline,stage,amount,created_at,closed_at,owner,competitor\n"
    "DEAL-000001,ACC-001585,Harborline renewal,Sales Pipeline,Negotiation,20000,2023-11-25,,"
    "Hiro Tanaka,\n"
    "DEAL-000002,ACC-000709,Mapledale expansion,Sales Pipeline,Closed Won,5300,2025-03-28,"
    "2025-04-19,Morgan Diaz,\n"
    "DEAL-900001,ACC-000709,Mapledale new deal,Sales Pipeline,Proposal,50000,2026-10-01,,"
    "Morgan Diaz,Zephyr Analytics\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server of its own: this test loads a file."""
    proc, url = start_server(tmp_path_factory.mktemp("changes") / "warehouse.duckdb")
    try:
        yield url
    finally:
        stop_server(proc)


def test_the_panel_after_an_import_and_on_the_overview(server, page, tmp_path):
    export = tmp_path / "deals-update.csv"
    export.write_text(DEALS)
    page.goto(f"{server}/import", timeout=120_000)
    expect(page.get_by_text("Import your CRM data")).to_be_visible(timeout=120_000)
    # The sample alone: no panel yet on the import page.
    expect(page.get_by_text("What changed")).to_have_count(0)
    page.locator("input[type=file]").set_input_files(str(export))
    expect(page.get_by_text("3 rows will load")).to_be_visible(timeout=120_000)
    page.get_by_text("Remove the sample data").click()  # keep the sample: deals to update
    page.get_by_role("button", name=re.compile(r"Load 1 file")).click()

    panel = page.locator("[data-testid=stExpander]").filter(has_text="What changed")
    expect(panel).to_be_visible(timeout=120_000)
    expect(panel).to_contain_text("Since deals-update.csv, loaded")
    expect(panel).to_contain_text("Deals: 1 added, 2 updated, 0 removed")
    expect(panel).to_contain_text("1 deal moved Closed Lost → Closed Won")
    expect(panel).to_contain_text("1 deal moved Closed Lost → Negotiation")
    expect(panel).to_contain_text("1 deal won")
    expect(panel).to_contain_text("1 deal reopened")
    expect(panel).to_contain_text("New competitors named: Zephyr Analytics")
    # Movers: the new deal +$50K, DEAL-000001 10,600 -> 20,000 = +$9.4K.
    expect(panel).to_contain_text("Mapledale new deal (added): +$50.0K")
    expect(panel).to_contain_text("Harborline renewal (updated): +$9.4K")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "changes-import.png"), full_page=True)

    page.get_by_role("link", name="Overview").click()
    expect(page.locator("[data-testid=stMetric]")).to_have_count(7, timeout=120_000)
    summary = page.get_by_text(re.compile(r"What changed · Since deals-update\.csv"))
    expect(summary).to_be_visible(timeout=60_000)
    # Collapsed: one line above the tiles, the tiles stay on screen.
    expect(page.get_by_text("Deals: 1 added, 2 updated, 0 removed")).not_to_be_visible()
    expect(page.locator("[data-testid=stMetric]").first).to_be_in_viewport()
    summary.click()
    deals_line = page.get_by_role("link", name="Deals: 1 added, 2 updated, 0 removed")
    expect(deals_line).to_be_visible(timeout=30_000)
    assert deals_line.get_attribute("href") == "funnel?period=all"
    mover = page.get_by_role("link", name=re.compile(r"Mapledale new deal"))
    assert mover.get_attribute("href") == "funnel?period=all&owner=Morgan+Diaz"
    page.screenshot(path=str(ARTIFACTS / "changes-overview.png"), full_page=True)

    # The link opens the funnel for that owner, all time (the sidebar reads the URL).
    page.goto(f"{server}/{mover.get_attribute('href')}", timeout=120_000)
    sidebar = page.locator("[data-testid=stSidebar]")
    expect(sidebar).to_contain_text("Morgan Diaz", timeout=120_000)
    expect(page).to_have_url(re.compile(r"/funnel\?.*owner=Morgan\+Diaz"))
