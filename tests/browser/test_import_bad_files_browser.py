"""Bad files on the real import page (issue 21, points 1 and 3): a bomb and a workbook openpyxl
cannot read are each refused in their own panel, in one sentence, while they stay in the upload
box; the good file dropped with them shows its (clipped) preview and loads; the history works."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import start_server, stop_server
from tests.ingest import bombs

pytestmark = pytest.mark.browser
SHOTS = "/work/shots/r21input"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server of its own: this test loads a file."""
    proc, url = start_server(tmp_path_factory.mktemp("bad") / "warehouse.duckdb")
    try:
        yield url
    finally:
        log = stop_server(proc)
        assert "MessageSizeError" not in log, log[-2000:]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    pg = context.new_page()
    yield pg
    context.close()


def _shot(page, name: str) -> None:
    import os

    if os.path.isdir(os.path.dirname(SHOTS)):
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_bad_files_fail_in_their_own_panels_and_the_good_one_loads(server, page, tmp_path):
    bomb = bombs.one_huge_string(tmp_path / "bomb.xlsx")
    broken = bombs.text_in_a_number_cell(tmp_path / "broken.xlsx")
    good = bombs.long_field_csv(tmp_path / "long-name-orders.csv", kilobytes=150)
    page.goto(f"{server}/import", timeout=60_000)
    expect(page.get_by_text("Import your CRM data")).to_be_visible(timeout=90_000)
    page.locator("input[type=file]").set_input_files([str(bomb), str(broken), str(good)])

    expect(
        page.get_by_text(re.compile(r"bomb\.xlsx has a part .* times its compressed"))
    ).to_be_visible(timeout=120_000)
    expect(page.get_by_text(re.compile(r"broken\.xlsx, sheet 'Sheet1', row 3"))).to_be_visible(
        timeout=60_000
    )
    expect(page.get_by_text("2 rows will load, 0 will be rejected")).to_be_visible(timeout=60_000)
    # The 150 KB customer name (and the account id made of it) reaches the page cut to 200
    # characters and "…"; no cell of the grid holds more.
    # The preview is a static table (wrapped to the page): its cells are the page's text.
    clipped = page.locator("[data-testid=stTable] td", has_text=re.compile(r"x{150}…$"))
    expect(clipped).to_have_count(1, timeout=30_000)
    assert max(len(t) for t in page.locator("td").all_text_contents()) <= 201
    expect(page.get_by_text(re.compile(r"Traceback|MessageSizeError"))).to_have_count(0)
    _shot(page, "import-bad-files")

    page.get_by_role("button", name=re.compile(r"Load 1 file")).click()
    expect(page.get_by_text("Loaded 2 rows of long-name-orders.csv into orders")).to_be_visible(
        timeout=90_000
    )
    # After the rerun the bad files are still in the box, still refused in their panels, and
    # the history (with the new load) and the undo picker work.
    expect(page.get_by_text(re.compile(r"broken\.xlsx, sheet 'Sheet1', row 3"))).to_be_visible()
    expect(page.get_by_text("Load history")).to_be_visible()
    history = page.locator("[data-testid=stTable] td", has_text="long-name-orders.csv")
    expect(history).to_have_count(1, timeout=30_000)
    expect(page.get_by_role("combobox", name="Undo a load")).to_be_visible()
    _shot(page, "import-bad-files-after-load")
