"""'Download this page (PDF)' on the real server in headless Chromium: the PDF holds the
page's tiles and headline chart for the filters in the URL."""

import pypdf
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def download_pdf(page, tmp_path, name: str) -> pypdf.PdfReader:
    button = page.get_by_role("button", name="Download this page (PDF)")
    expect(button).to_be_visible(timeout=120_000)
    with page.expect_download(timeout=240_000) as info:  # charts drawn and printed on click
        button.click()
    path = tmp_path / name
    info.value.save_as(path)
    return pypdf.PdfReader(path)


def test_each_page_downloads_itself_as_a_pdf_for_its_filters(server, page, tmp_path):
    page.goto(server, timeout=60_000)
    expect(page.locator("[data-testid=stMetric]")).to_have_count(7, timeout=120_000)
    reader = download_pdf(page, tmp_path, "overview.pdf")
    (only,) = reader.pages
    text = " ".join(only.extract_text().split())
    assert text.startswith("Overview ·") and len(only.images) == 1
    for label in ("Open pipeline", "Won amount", "Win rate", "New customers", "NPS", "CSAT"):
        assert label in text

    page.goto(f"{server}/competitors?period=all&segment=SMB", timeout=60_000)
    expect(page.get_by_role("heading", name="Competitors")).to_be_visible(timeout=120_000)
    reader = download_pdf(page, tmp_path, "competitors.pdf")
    text = " ".join(reader.pages[0].extract_text().split())
    assert text.startswith("Competitors · All time · SMB"), text[:80]
    assert "Competitor recorded" in text and len(reader.pages[0].images) == 1
