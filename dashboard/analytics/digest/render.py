"""A digest (or one page's section) as Markdown, HTML or PDF. The PDF is the HTML printed by
Chromium: page 1 the overview (tiles, what changed, top movers, its chart), then one page per
page of the app, each with its tiles and its one headline chart."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import replace
from html import escape
from pathlib import Path

from dashboard.analytics.digest import images, pdf
from dashboard.analytics.digest.build import Digest, live_link
from dashboard.analytics.digest.sections import Section
from dashboard.core.tiles import Tile, delta_shown

FORMATS = ("md", "html", "pdf")
STYLE = """
@page { size: A4; margin: 12mm; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10pt;
       color: #1f2328; margin: 0; }
.page { break-after: page; }
.page:last-child { break-after: auto; }
h1 { font-size: 17pt; margin: 0 0 2mm; } h2 { font-size: 13pt; margin: 4mm 0 2mm; }
.meta { color: #57606a; margin: 0 0 2mm; }
.tiles { display: flex; flex-wrap: wrap; gap: 2mm; margin: 2mm 0; }
.tile { border: 1px solid #d0d7de; border-radius: 2mm; padding: 1.5mm 2.5mm; width: 38mm; }
.tile .label { color: #57606a; font-size: 8.5pt; }
.tile .value { font-size: 14pt; font-weight: 600; }
.tile .delta { font-size: 9pt; font-weight: 600; }
.tile .caption { color: #57606a; font-size: 7.5pt; }
.good { color: #1a7f37; } .bad { color: #cf222e; } .flat { color: #57606a; }
ul { margin: 1mm 0; padding-left: 5mm; } li { margin: 0.5mm 0; }
img.chart { width: 100%; margin-top: 2mm; }
.empty { color: #57606a; border: 1px dashed #d0d7de; padding: 3mm; margin-top: 2mm; }
a { color: #0969da; }
"""


def write(
    digest: Digest, fmt: str, out: Path, pngs: Sequence[bytes | None] | None = None
) -> list[Path]:
    """Write the digest to `out` (and, for Markdown, its charts beside it); returns the files.
    The charts are drawn here unless `pngs` gives them (one per section, in order)."""
    sections = digest.all_sections
    pngs = list(pngs) if pngs is not None else images.to_png([s.figure for s in sections])
    if fmt == "md":
        folder = out.with_name(f"{out.stem}_charts")
        charts = _write_charts(folder, sections, pngs)
        out.write_text(markdown(digest, [f"{folder.name}/{c.name}" if c else None for c in charts]))
        return [out, *filter(None, charts)]
    page = html(digest, pngs)
    if fmt == "html":
        out.write_text(page, encoding="utf-8")
    else:
        out.write_bytes(pdf.html_to_pdf(page))
    return [out]


def _write_charts(
    folder: Path, sections: list[Section], pngs: Sequence[bytes | None]
) -> list[Path | None]:
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path | None] = []
    for number, (item, png) in enumerate(zip(sections, pngs, strict=True), start=1):
        path = folder / f"{number:02d}_{item.page}.png" if png else None
        if path:
            path.write_bytes(png)
        paths.append(path)
    return paths


# --- Markdown -----------------------------------------------------------------------------


def markdown(digest: Digest, charts: Sequence[str | None]) -> str:
    link = f"[Open the live view]({digest.link})"
    lines = [f"# {_md(digest.title)}", "", _md(_meta(digest)), "", link, ""]
    lines += _md_section(digest.overview, charts[0], digest)
    lines += ["## What changed since the previous digest", ""]
    lines += [f"- {_md(s)}" for s in digest.changes] + [""]
    lines += ["## Top movers (won amount vs the period before)", ""]
    lines += [f"- {_md(m.sentence)}" for m in digest.movers] or [f"- {digest.movers_note}"]
    lines.append("")
    for item, chart in zip(digest.sections, charts[1:], strict=True):
        lines += _md_section(item, chart, digest)
    return "\n".join(lines).rstrip() + "\n"


def _md_section(item: Section, chart: str | None, digest: Digest) -> list[str]:
    link = live_link(digest.base_url, item.url_path, digest.chosen)
    lines = [f"## {item.title}", "", f"[Open {item.title} in the app]({link})", ""]
    if item.tiles:
        lines += ["| measure | value | change | based on |", "|---|---:|---:|---|"]
        lines += [
            f"| {_md(t.label)} | {_md(t.value)} | {_md(t.delta or '—')} | {_md(t.caption)} |"
            for t in item.tiles
        ]
        lines.append("")
    lines += [f"_{_md(n)}_" for n in item.notes]
    if chart:
        lines += ["", f"![{_md(item.figure.layout.title.text or item.title)}]({chart})"]
    elif item.empty:
        lines.append(f"No chart: {_md(item.empty)}")
    return [*lines, ""]


MD_INERT = str.maketrans({"|": "\\|", "\n": " ", "[": "\\[", "]": "\\]", "<": "&lt;"})


def _md(text: str) -> str:
    """Text that cannot break a table, start a link or open a tag."""
    return str(text).translate(MD_INERT)


def _meta(digest: Digest) -> str:
    return (
        f"{digest.where} · counted back from {digest.as_of:%-d %b %Y}, the last day with data · "
        "changes are against the previous period of equal length"
    )


# --- HTML ---------------------------------------------------------------------------------


def html(digest: Digest, pngs: Sequence[bytes | None]) -> str:
    first = [
        f"<h1>{escape(digest.title)}</h1>",
        f'<p class="meta">{escape(_meta(digest))} · '
        f'<a href="{escape(digest.link)}">open the live view</a></p>',
        _tiles(digest.overview.tiles),
        *(f'<p class="meta">{escape(n)}</p>' for n in digest.overview.notes),
        "<h2>What changed since the previous digest</h2>",
        _list(digest.changes),
        "<h2>Top movers: won amount vs the period before</h2>",
        _list([m.sentence for m in digest.movers] or [digest.movers_note or ""]),
        _chart(digest.overview, pngs[0]),
    ]
    pages = ['<section class="page">' + "\n".join(first) + "</section>"]
    for item, png in zip(digest.sections, pngs[1:], strict=True):
        link = live_link(digest.base_url, item.url_path, digest.chosen)
        pages.append(section_html(item, png, link))
    return _document(digest.title, pages)


def section_html(item: Section, png: bytes | None, link: str | None, heading: str = "h2") -> str:
    parts = [f"<{heading}>{escape(item.title)}</{heading}>"]
    if link:
        parts.append(
            f'<p class="meta"><a href="{escape(link)}">Open {escape(item.title)} in the app</a></p>'
        )
    parts += [_tiles(item.tiles), *(f'<p class="meta">{escape(n)}</p>' for n in item.notes)]
    parts.append(_chart(item, png))
    return '<section class="page">' + "\n".join(parts) + "</section>"


def _document(title: str, pages: list[str]) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        + "\n".join(pages)
        + "</body></html>"
    )


def _tiles(tiles: Sequence[Tile]) -> str:
    if not tiles:
        return ""
    cards = []
    for t in tiles:
        delta = f'<div class="delta {_tone(t)}">{escape(t.delta)}</div>' if t.delta else ""
        cards.append(
            f'<div class="tile"><div class="label">{escape(t.label)}</div>'
            f'<div class="value">{escape(t.value)}</div>{delta}'
            f'<div class="caption">{escape(t.caption)}</div></div>'
        )
    return '<div class="tiles">' + "".join(cards) + "</div>"


def _tone(tile: Tile) -> str:
    """Green when the change is good news, red when bad, grey when there is none, it is within
    noise or no noise test judges it: the app's own rule (tiles.delta_shown)."""
    _, colour, _ = delta_shown(tile)
    return {"green": "good", "red": "bad"}.get(colour, "flat")


def _list(lines: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines if line) + "</ul>"


def _chart(item: Section, png: bytes | None) -> str:
    if png is None:
        return f'<p class="empty">No chart: {escape(item.empty or "nothing to draw.")}</p>'
    title = item.figure.layout.title.text if item.figure is not None else item.title
    data = base64.b64encode(png).decode("ascii")
    alt = escape(title or item.title)
    return f'<img class="chart" alt="{alt}" src="data:image/png;base64,{data}">'


def page_pdf(item: Section, where: str) -> bytes:
    """One app page's PDF: its tiles and headline chart for the current filters."""
    (png,) = images.to_png([item.figure])
    titled = replace(item, title=f"{item.title} · {where}")  # the filters under the page's name
    return pdf.html_to_pdf(_document(titled.title, [section_html(titled, png, None, "h1")]))
