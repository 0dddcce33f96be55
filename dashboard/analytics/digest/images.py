"""Static PNGs of Plotly figures with kaleido on the system Chromium, in one browser session.

kaleido 1.x drives a headless Chrome through choreographer; it is pointed at the system
Chromium (BROWSER_PATH, else chromium on the PATH) and at plotly.py's own plotly.js, with
MathJax off, so nothing is downloaded at run time (kaleido's defaults fetch both from a CDN
when not told otherwise; its get_chrome downloads a browser and is never called)."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Sequence
from importlib.resources import files

import plotly.graph_objects as go

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
WIDTH, HEIGHT, SCALE = 1000, 460, 2  # 2x pixels: sharp when printed at A4 width
RENDER_TIMEOUT_S = 300  # per figure; a loaded machine is slow, never wrong


class ImageError(RuntimeError):
    """No browser to draw with, or the browser failed: one sentence."""


ATTEMPTS = 3  # browser sessions tried before the charts are given up


def browser_path() -> str:
    found = os.environ.get("BROWSER_PATH") or next(filter(None, map(shutil.which, BROWSERS)), None)
    if not found or not os.access(found, os.X_OK):
        raise ImageError(
            "Charts are drawn by Chromium and none was found: install Debian's chromium "
            "(apt-get install chromium) or set BROWSER_PATH to a Chrome or Chromium."
        )
    return found


def plotly_js() -> str:
    path = files("plotly") / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise ImageError("plotly.js is missing from the plotly package: reinstall plotly.")
    return str(path)


def to_png(figures: Sequence[go.Figure | None]) -> list[bytes | None]:
    """One PNG per figure (None stays None), drawn in one browser session."""
    if not any(f is not None for f in figures):
        return [None] * len(figures)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return asyncio.run(_render(list(figures)))
        except ImageError:
            raise
        except Exception as exc:  # kaleido/choreographer errors: a browser that would not draw
            # On a busy machine kaleido can call its page's script before the page has loaded
            # it ("kaleido_scopes is not defined"): a new browser session draws them.
            if attempt == ATTEMPTS:
                raise ImageError(f"Chromium could not draw the charts: {exc}".strip()) from exc
    raise AssertionError("not reached")


async def _render(figures: list[go.Figure | None]) -> list[bytes | None]:
    import kaleido  # imported here: only digests and page PDFs need it

    opts = {"format": "png", "width": WIDTH, "height": HEIGHT, "scale": SCALE}
    out: list[bytes | None] = []
    async with kaleido.Kaleido(
        n=1, timeout=RENDER_TIMEOUT_S, path=browser_path(), plotlyjs=plotly_js(), mathjax=False
    ) as browser:
        for figure in figures:
            out.append(None if figure is None else await browser.calc_fig(figure, opts=opts))
    return out
