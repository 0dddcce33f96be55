"""Issue 17 in the browser: the four files of a CRM export dropped together on the import page
of the real server load as one export with no hint, and the overview shows their numbers."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, start_server, stop_server
from tests.browser.test_import_browser import tile_value

pytestmark = pytest.mark.browser

MAVEN = Path(__file__).parents[1] / "ingest" / "real_exports" / "maven-crm"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server of its own: the load removes the sample."""
    proc, url = start_server(tmp_path_factory.mktemp("four-files") / "warehouse.duckdb")
    try:
        yield url
    finally:
        stop_server(proc)


def test_four_files_load_as_one_export(server, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 5000})
    page = context.new_page()
    try:
        page.goto(f"{server}/import", timeout=60_000)
        expect(page.get_by_text("Import your CRM data")).to_be_visible(timeout=90_000)
        page.locator("input[type=file]").set_input_files(sorted(map(str, MAVEN.glob("*.csv"))))
        # Each file finds its table (none is put into orders), and the check says how the
        # files fit together before anything is written.
        expect(page.get_by_text("How these files fit together")).to_be_visible(timeout=90_000)
        expect(
            page.get_by_text(re.compile(r"6 of 6 deal owners are in sales_teams\.csv"))
        ).to_be_visible()
        expect(page.get_by_text(re.compile(r"'GTXPro' ≈ 'GTX Pro'"))).to_be_visible()
        for name, table in (
            ("accounts.csv", "accounts"),
            ("products.csv", "products"),
            ("sales_pipeline.csv", "deals"),
            ("sales_teams.csv", "owners"),
        ):
            header = page.get_by_text(re.compile(rf"^{re.escape(name)} · .* · table {table}"))
            expect(header).to_have_count(1)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "four-files-before-load.png"), full_page=True)

        page.get_by_role("button", name=re.compile(r"Load 4 file")).click()
        expect(page.get_by_text("Loaded 16 rows of sales_pipeline.csv into deals")).to_be_visible(
            timeout=90_000
        )
        expect(page.get_by_text("Loaded 6 rows of sales_teams.csv into owners")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "four-files-after-load.png"), full_page=True)

        page.get_by_role("link", name="Overview").click()
        # Hand-worked in tests/ingest/test_real_exports.py: 6 won of 10 closed, $35,606 won
        # (all in the default last 12 months of the data, which end on 20 Mar 2017).
        expect(tile_value(page, "Won amount")).to_have_text("$35.6K", timeout=60_000)
        expect(tile_value(page, "Win rate")).to_have_text("60.0%")
        # Open deals carry no close_value: no data, not $0.
        expect(tile_value(page, "Open pipeline")).to_have_text("—")
        expect(page.get_by_text("Team", exact=True)).to_be_visible()  # the teams file fills it
        page.screenshot(path=str(ARTIFACTS / "four-files-overview.png"), full_page=True)
    finally:
        context.close()
