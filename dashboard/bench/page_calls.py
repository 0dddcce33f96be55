"""What each page runs for its default view, recorded from the page itself.

The real entry script (dashboard/ui/app.py) runs under AppTest once per page, as the app opens
for a local user (default widgets, the sidebar's last 12 months): first run, then
`switch_page` to the page. Meanwhile `session._cached` is swapped for a recorder that notes
each (function, filters, options) and calls the function directly, as an empty cache would.
Every page reads its data through `session.cached`, so the page file is the list: the bench
can no longer drift from what a page does. The entry script's own calls (the sample notice,
the sidebar's filter options and data dates) run before every page, so they are part of every
page's view.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dashboard.bench.clock import timed
from dashboard.core import resources
from dashboard.core.filters import Filters

# The pages the bench measures, by file name in dashboard.pages (import and access show no
# analytics).
PAGES = ("overview", "funnel", "retention", "satisfaction", "competitors", "health")
APP = resources.folder("dashboard.ui") / "app.py"


@dataclass(frozen=True)
class Call:
    """One data call a page made through session.cached: fn(cursor, filters, **options)."""

    fn: Callable[..., object]
    filters: Filters
    options: tuple[tuple[str, object], ...]

    @property
    def name(self) -> str:
        return f"{self.fn.__module__}.{self.fn.__qualname__}"

    def run(self, cur) -> object:
        return self.fn(cur, self.filters, **dict(self.options))


def replay(cur, calls: Sequence[Call]) -> None:
    """A page's whole set of data calls on `cur` (a DuckDB or a Spark cursor)."""
    for call in calls:
        call.run(cur)


@dataclass(frozen=True)
class Recorded:
    calls: dict[str, list[Call]]  # page -> its calls, in the order the page made them
    first_render_s: float  # the first AppTest run in this process: the overview, first render


def record(db: Path, pages: Sequence[str] = PAGES, timeout: float = 600) -> Recorded:
    """Open the app on `db` once per page and record the data calls of the page's view."""
    from streamlit.testing.v1 import AppTest

    from dashboard.store import warehouse
    from dashboard.ui import changes_panel, session

    made: list[Call] = []

    def recorder(name, filters, options, db, version, _fn, _cur):  # session._cached's signature
        made.append(Call(_fn, filters, options))
        return _fn(_cur, filters, **dict(options))

    folder = resources.folder("dashboard.pages")
    calls: dict[str, list[Call]] = {}
    first_render_s: float | None = None
    with _local_default_app(db), _swapped(session, "_cached", recorder):
        try:
            for page in pages:
                at = AppTest.from_file(str(APP), default_timeout=timeout)
                seconds, _ = timed(at.run)  # the app opens on the overview
                _check(at, "overview")
                first_render_s = seconds if first_render_s is None else first_render_s
                made.clear()
                at.switch_page(str(folder / f"{page}.py")).run()
                _check(at, page)
                calls[page] = list(made)
        finally:
            # The overview's "what changed" panel is worked out on a cursor of the shared
            # connection in the background at this size: closing it under that cursor failed
            # ("connection is busy"), so wait for it first.
            changes_panel.wait_for_background(timeout)
            warehouse.SharedConnection.close_all()  # timings start on fresh connections
    return Recorded(calls, first_render_s or 0.0)


def _check(at, page: str) -> None:
    if at.exception:
        raise RuntimeError(f"the {page} page failed to render: {at.exception[0].value}")


@contextmanager
def _local_default_app(db: Path) -> Iterator[None]:
    """The app on `db`, on the embedded DuckDB, for a local user who may see everything:
    roles, a trusted header or CRM_DASHBOARD_ENGINE in the caller's shell would change the
    view being measured."""
    from dashboard.core import access
    from dashboard.engines import settings as engine
    from dashboard.store import warehouse
    from dashboard.ui import identity

    wanted = {
        warehouse.DB_ENV_VAR: str(db),
        access.ROLES_ENV: None,
        identity.HEADER_ENV: None,
        engine.ENGINE_ENV: None,
    }
    saved = {name: os.environ.get(name) for name in wanted}
    _set_env(wanted)
    try:
        yield
    finally:
        _set_env(saved)


def _set_env(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@contextmanager
def _swapped(owner: object, attribute: str, replacement: object) -> Iterator[None]:
    original = getattr(owner, attribute)
    setattr(owner, attribute, replacement)
    try:
        yield
    finally:
        setattr(owner, attribute, original)
