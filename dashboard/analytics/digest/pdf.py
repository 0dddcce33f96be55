"""HTML -> PDF with the system Chromium's own print to PDF.

Chosen over fpdf2/reportlab (a second layout to keep in step with the HTML digest, and their
built-in fonts cover Latin-1 only: names, "—" and "→" need a TTF found and embedded) and
weasyprint (needs pango system libraries): Chromium is already required for the charts, so
the PDF is the HTML digest itself, one layout, with real text and the system fonts, and no
new Python dependency. `--print-to-pdf` is Chromium's headless printing; CSS @page and
break-after decide the pages."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from dashboard.analytics.digest.images import ImageError, browser_path

PRINT_TIMEOUT_S = 300
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-pdf-header-footer",
)


def html_to_pdf(html: str) -> bytes:
    """The PDF Chromium prints from the page (its images inline as data: URIs)."""
    with tempfile.TemporaryDirectory(prefix="crm-digest-") as tmp:
        page, out = Path(tmp) / "digest.html", Path(tmp) / "digest.pdf"
        page.write_text(html, encoding="utf-8")
        command = [
            browser_path(),
            *FLAGS,
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=PRINT_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise ImageError(f"Chromium did not print the PDF in {PRINT_TIMEOUT_S} s.") from None
        if not out.is_file() or out.stat().st_size == 0:
            raise ImageError("Chromium did not print the PDF (it wrote no file).")
        return out.read_bytes()
