"""What `crm-dashboard serve` does before the first visit, so the first person after a start
does not wait for it: the modules the pages import (Plotly, the charts, the page logic) and the
"what changed" panel for everyone's scope (at a million deals 1.5 s of CPU, which the first
page's run otherwise shares two cores with, then a rerun when the panel is ready), and the
path of every imported module resolved once for `inspect` (Streamlit's first element in a
process asks `inspect.stack()` whether it runs in a REPL: 0.15-0.3 s at the first render).

Measured at scale 50 (issue 18): see the README's "Speed at a million deals"."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import logging
from collections.abc import Iterator
from pathlib import Path

from dashboard.core import resources
from dashboard.core.filters import EVERYTHING, Filters
from dashboard.store import warehouse
from dashboard.ui import changes_panel

log = logging.getLogger("dashboard.ui")


def page_modules() -> list[str]:
    """Every dashboard module the page files import (the page files are the list)."""
    found: dict[str, None] = {}
    for file in sorted(resources.folder("dashboard.pages").glob("*.py")):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dashboard"):
                found.update(dict.fromkeys(_imported(node.module, [a.name for a in node.names])))
    return list(found)


def _imported(module: str, names: list[str]) -> Iterator[str]:
    """`from a.b import c`: a.b.c when c is a module, else a.b."""
    for name in names:
        full = f"{module}.{name}"
        yield full if _is_module(full) else module


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # `name` is a function or a constant of its parent module
        return False


def prepare(db: Path) -> None:
    """Import what the pages need, and start the changes panel of the latest load for the
    scope every viewer, analyst and admin shares (a manager's grant is worked out at their
    first visit, as before). Failures are logged: the app serves without a warm start."""
    try:
        for module in page_modules():
            importlib.import_module(module)
        # Fills inspect's module-by-file table, as Streamlit's first call would: nothing in the
        # server has asked inspect for a frame's module yet, so the table is empty and this
        # resolves every module imported so far (later ones are added at the next call).
        inspect.stack()
        cur = warehouse.SharedConnection.cursor(db)
        try:
            changes_panel.start_in_background(cur, str(db), Filters(scope=EVERYTHING))
        finally:
            cur.close()
    except Exception:  # noqa: BLE001 - a warm start is a nicety, never a reason not to serve
        log.exception("warming up the server failed; pages work them out at the first visit")
