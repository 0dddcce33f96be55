"""Names from the data are text in a digest: escaped in HTML, inert in Markdown."""

import re
from datetime import date

import pytest

from dashboard.analytics.digest import render
from dashboard.analytics.digest.build import Digest, Mover
from dashboard.analytics.digest.sections import Section
from dashboard.core.filters import Filters
from dashboard.core.tiles import Tile

EVIL = "<script>alert(1)</script>[x](javascript:alert(1))|"


def hostile_digest() -> Digest:
    tile = Tile("won_amount", "Won amount", "$1K", "+5.0%", True, f"{EVIL} won deals", "help")
    overview = Section("overview", "Overview", "", None, f"no chart {EVIL}", [tile], [EVIL])
    chosen = Filters(date(2026, 10, 1), date(2026, 10, 7), segments=(EVIL,))
    return Digest(
        title="CRM digest",
        filters=chosen,
        chosen=chosen,
        base_url="https://crm.example.com",
        where=EVIL,
        as_of=date(2026, 10, 7),
        link="https://crm.example.com/?x=1",
        overview=overview,
        sections=[],
        changes=[f"Since {EVIL}.csv, loaded"],
        movers=[Mover("owner", EVIL, f"Owner {EVIL}: won $1K")],
        movers_note=None,
    )


def test_html_escapes_every_name():
    page = render.html(hostile_digest(), [None])
    assert "<script>" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 5  # tile, notes, lists, where


def test_markdown_names_cannot_open_a_tag_or_a_link():
    text = render.markdown(hostile_digest(), [None])
    assert "<script>" not in text and not re.search(r"(?<!\\)\]\(javascript", text)
    assert "&lt;script>" in text and "\\[x\\](javascript" in text


def test_a_browser_session_that_fails_to_draw_is_tried_again(monkeypatch):
    """Under load kaleido once called its page's script before the page had loaded it
    ("ReferenceError: kaleido_scopes is not defined", a CI run): a new session draws them."""
    import plotly.graph_objects as go

    from dashboard.analytics.digest import images

    calls = []

    async def flaky(figures):
        calls.append(len(figures))
        if len(calls) == 1:
            raise RuntimeError("ReferenceError: kaleido_scopes is not defined")
        return [b"png" for _ in figures]

    monkeypatch.setattr(images, "_render", flaky)
    assert images.to_png([go.Figure()]) == [b"png"] and len(calls) == 2

    async def broken(figures):
        calls.append(len(figures))
        raise RuntimeError("no browser")

    calls.clear()
    monkeypatch.setattr(images, "_render", broken)
    with pytest.raises(images.ImageError, match="Chromium could not draw the charts: no browser"):
        images.to_png([go.Figure()])
    assert len(calls) == images.ATTEMPTS
