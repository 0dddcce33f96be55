"""The bench's real-server figures time what a person does (dashboard/bench/on_server.py)."""

import re

import pytest
from playwright.sync_api import expect

from dashboard.bench import on_server

pytestmark = pytest.mark.browser


def test_the_filter_change_picks_one_segment_not_select_all(server, page):
    """The segment dropdown opens on Streamlit's "Select all"; the bench's filter change is a
    manager picking a segment: the first one, and only it, ends up in the address."""
    page.goto(f"{server}/retention", timeout=90_000)
    expect(page.get_by_role("heading", name="Retention cohorts")).to_be_visible(timeout=90_000)
    assert on_server._change_a_filter(page) is not None
    expect(page).to_have_url(re.compile(r"[?&]segment=Enterprise(&|$)"), timeout=30_000)
    assert page.url.count("segment=") == 1
