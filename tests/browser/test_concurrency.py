"""Concurrency on the real server over loopback: sessions browse while an import runs.

One Chromium, READERS + 1 light browser contexts (readers and an analyst), one
`crm-dashboard serve`. The analyst uploads an orders export on the import page (the import has
to go through the server: DuckDB gives the file to one process) and keeps the sample. Each
reader reads the overview's "New customers" tile and its caption, reloading the page between
reads so every read is a fresh session and a full run of the page.

The work is a fixed count, not "as much as fits in N seconds": every reader reads
1 + HELD_READS + RACE_READS + 1 times, whatever the machine's speed. The server runs with the
hook in tests/browser/hold_import, which holds the import's transaction open at the instant
before COMMIT (every row written, summaries rebuilt, load recorded, data version moved) until
the test releases it, so the reads that must happen during the load do, on any machine:
1. before the import: each reader's first read;
2. while the whole load sits uncommitted: HELD_READS reads each, all of them the old figure;
3. from the release on, racing the COMMIT: RACE_READS reads each, old or new;
4. after the import page says it loaded: one read each, the new figure.
Checks:
- no session ever shows an exception or an error, and the server logs no traceback;
- every read is the figure before the import or the figure after it, value and caption from
  the same side (never old customers with new new-customers);
- the import finishes and reports its rows; a forged upload without the XSRF token is refused;
- after the server stops, orders = before + the file's rows; every other table is unchanged
  (row count and checksum); the old orders are untouched; one load more.
Waits are long and end as soon as what they wait for happens: a slow machine takes longer,
it does not fail. The figures (sessions, reads, duration, errors, rows) are printed.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest

from dashboard.analytics.overview import data as overview
from dashboard.core import coverage
from dashboard.core.filters import Filters
from dashboard.core.periods import DEFAULT_PRESET, preset_range
from dashboard.ingest import loader
from dashboard.store import sample, warehouse
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, start_server, stop_server

pytestmark = pytest.mark.browser

READERS = 6
HELD_READS = 2  # per reader, while the load is written and not committed
RACE_READS = 2  # per reader, started as the load commits
READS_PER_READER = 1 + HELD_READS + RACE_READS + 1
NEW_CUSTOMERS = 400
ORDER_ROWS = 5_000
SAMPLE_SCALE = 0.2
HOOK = Path(__file__).resolve().parent / "hold_import"  # its sitecustomize.py holds the load
WAIT_MS = 300_000  # any one page wait: ends early when the page gets there
WAIT_S = WAIT_MS / 1000
TIME_LIMIT_S = 840  # the whole browsing phase, only against a hang; under a minute when quiet


def table_state(path: Path) -> dict[str, tuple[int, int]]:
    """Row count and order-independent checksum of every canonical table."""
    con = warehouse.connect(path)
    try:
        return {
            t: con.execute(
                f'select count(*), coalesce(sum(hash(x)), 0) from "{t}" x'  # noqa: S608
            ).fetchall()[0]
            for t in warehouse.CANONICAL_TABLES
        }
    finally:
        con.close()


def new_customers_tile(con, filters: Filters) -> tuple[str, str]:
    tile = next(t for t in overview.kpi_summary(con, filters).tiles if t.key == "new_customers")
    return tile.value, tile.caption


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """The sample in a file, an orders export dated inside the default period, and the tile
    as it reads before and after that import (the import done on a copy, the page's way)."""
    folder = tmp_path_factory.mktemp("concurrency")
    db = folder / "warehouse.duckdb"
    con = warehouse.connect(db)
    sample.load_sample(con, scale=SAMPLE_SCALE)
    _, as_of = coverage.data_span(con)
    filters = Filters(*preset_range(DEFAULT_PRESET, as_of))
    old = new_customers_tile(con, filters)
    con.close()
    day = (as_of - timedelta(days=3)).isoformat()
    export = folder / "orders-concurrency.csv"
    lines = ["Customer,Order Date,Total"] + [
        f"Concurrency Customer {i % NEW_CUSTOMERS},{day},{10 + i % 7}.50" for i in range(ORDER_ROWS)
    ]
    export.write_text("\n".join(lines) + "\n")
    copy = folder / "copy" / "warehouse.duckdb"
    copy.parent.mkdir()
    shutil.copy(db, copy)
    con = warehouse.connect(copy)
    ins = loader.inspect(con, export, export.name)
    assert (ins.rows_ok, ins.rows_rejected) == (ORDER_ROWS, 0)
    loader.commit(con, ins, remove_sample=False)
    loader.close(con, ins)
    new = new_customers_tile(con, filters)
    con.close()
    assert new != old
    hold = folder / "hold"
    hold.mkdir()
    return {
        "db": db,
        "export": export,
        "hold": hold,
        "old": old,
        "new": new,
        "before": table_state(db),
    }


def upload_without_xsrf_token(url: str) -> int:
    """The HTTP status of a file upload sent without Streamlit's XSRF cookie and header, as a
    page on another site could send it (403 when protection is on, 400 when it is off)."""
    request = urllib.request.Request(
        f"{url}/_stcore/upload_file/some-session/some-file",
        data=b"--x\r\nContent-Disposition: form-data; name=file; filename=a.csv\r\n\r\na\r\n--x--",
        method="PUT",
        headers={"Content-Type": "multipart/form-data; boundary=x", "Origin": "http://evil"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class Phases:
    """The steps readers and the analyst wait on (each wait ends when the step happens)."""

    def __init__(self) -> None:
        self.first_reads = asyncio.Event()  # every reader has read once, before the import
        self.held = asyncio.Event()  # the load is written, its transaction held open
        self.held_reads = asyncio.Event()  # every reader has done its reads during the hold
        self.released = asyncio.Event()  # the transaction may commit
        self.done = asyncio.Event()  # the import page reported the load (or gave up)
        self._counts: dict[str, int] = {}

    def count(self, name: str, event: asyncio.Event) -> None:
        self._counts[name] = self._counts.get(name, 0) + 1
        if self._counts[name] == READERS:
            event.set()


async def _tile(page) -> tuple[str, str]:
    card = page.locator("[data-testid=stMetric]").filter(has_text="New customers")
    value = await card.locator("[data-testid=stMetricValue]").inner_text(timeout=WAIT_MS)
    caption = (
        await page.locator("[data-testid=stCaptionContainer]")
        .filter(has_text="customers in all")
        .first.inner_text(timeout=WAIT_MS)
    ).strip()
    # The page heads the caption with the tile's noise verdict ("Within noise (±N%) · ...",
    # "Beyond noise (±N%) · ...",
    # widgets.tiles); the figure compared is the tile's own caption after it.
    if caption.startswith(("Within noise", "Beyond noise", "No noise test")):
        caption = caption.split(" · ", 1)[1]
    return value.strip(), caption


async def _problems(page) -> list[str]:
    found = []
    for selector in ("[data-testid=stException]", "[data-testid=stAlertContentError]"):
        for text in await page.locator(selector).all_inner_texts():
            found.append(text[:300])
    return found


async def _reader(browser, url: str, phases: Phases, log: dict, n: int) -> None:
    await asyncio.sleep(0.3 * n)  # sessions arrive one after another, as people do
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    page = await context.new_page()
    try:
        await _browse_as_reader(page, url, phases, log)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / f"concurrency-reader-{n}.png"), full_page=True)
        raise
    finally:
        await context.close()


async def _browse_as_reader(page, url: str, phases: Phases, log: dict) -> None:
    reads, errors = [], []  # (phase, value, caption)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))

    async def read(phase: str, reload: bool = True) -> None:
        # A reload is a new session and a full run of the page: nothing on screen is left
        # over from the previous read. (Other pages, cold after the load, would make every
        # session recompute the same figures at once on 2 cores: the cache does not merge
        # concurrent misses.)
        if reload:
            await page.reload(timeout=WAIT_MS)
        errors.extend(await _problems(page))
        reads.append((phase, *await _tile(page)))
        errors.extend(await _problems(page))

    try:
        await page.goto(url, timeout=WAIT_MS)
        await read("before", reload=False)
        phases.count("first", phases.first_reads)
        await phases.held.wait()
        for _ in range(HELD_READS):
            await read("held")
        phases.count("held", phases.held_reads)
        await phases.released.wait()
        for _ in range(RACE_READS):
            await read("race")
        await phases.done.wait()
        await read("after")
    finally:
        log["reads"].append(reads)
        log["errors"] += errors


async def _wait_until_held(page, hold: Path, loaded) -> None:
    """The hook writes `held` once the load's rows are in and the transaction is open."""
    deadline = time.monotonic() + WAIT_S
    while not (hold / "held").exists():
        if await loaded.count():
            raise AssertionError(
                f"the import committed without being held: is {HOOK} on the server's PYTHONPATH?"
            )
        if time.monotonic() > deadline:
            raise AssertionError(f"the import was not held within {WAIT_S:.0f}s")
        await asyncio.sleep(0.1)


async def _analyst(browser, url: str, prepared: dict, phases: Phases, log: dict) -> None:
    export, hold = prepared["export"], prepared["hold"]
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    try:
        await page.goto(f"{url}/import", timeout=WAIT_MS)
        await page.get_by_text("Import your CRM data").wait_for(timeout=WAIT_MS)
        await page.locator("input[type=file]").set_input_files(str(export), timeout=WAIT_MS)
        await page.get_by_text(f"{ORDER_ROWS:,} rows will load, 0 will be rejected").wait_for(
            timeout=WAIT_MS
        )
        keep = page.get_by_role("checkbox", name="Remove the sample data")
        await page.get_by_text("Remove the sample data").click(timeout=WAIT_MS)
        await page.wait_for_timeout(500)
        assert not await keep.is_checked(timeout=WAIT_MS)
        await phases.first_reads.wait()  # the readers have all read the old figure
        log["import_started"] = time.monotonic()
        await page.get_by_role("button", name=re.compile(r"Load 1 file")).click(timeout=WAIT_MS)
        loaded = page.get_by_text(f"Loaded {ORDER_ROWS:,} rows of {export.name}")
        await _wait_until_held(page, hold, loaded)
        log["held"] = (hold / "held").read_text().split()
        log["held_at"] = time.monotonic()
        phases.held.set()
        await phases.held_reads.wait()
        (hold / "release").touch()
        log["released"] = time.monotonic()
        phases.released.set()
        await loaded.wait_for(timeout=WAIT_MS)
        log["import_finished"] = time.monotonic()
        log["errors"] += await _problems(page)
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "concurrency-import.png"), full_page=True)
    finally:
        (hold / "release").touch()  # never leave the server holding a transaction
        phases.released.set()
        phases.done.set()
        await context.close()


async def _browse(url: str, prepared: dict) -> dict:
    from playwright.async_api import async_playwright

    log: dict = {"reads": [], "errors": [], "started": time.monotonic()}
    phases = Phases()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        readers = [
            asyncio.create_task(_reader(browser, url, phases, log, n)) for n in range(READERS)
        ]
        await asyncio.wait_for(
            asyncio.gather(_analyst(browser, url, prepared, phases, log), *readers),
            timeout=TIME_LIMIT_S,
        )
        await browser.close()
    return log


@pytest.mark.timeout(900)  # under a minute on a quiet 2-core machine; the limit is for a hang
def test_sessions_browse_while_an_import_runs(prepared):
    if not shutil.which(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not installed")
    pythonpath = os.pathsep.join(p for p in (str(HOOK), os.environ.get("PYTHONPATH")) if p)
    proc, url = start_server(
        prepared["db"], PYTHONPATH=pythonpath, CRM_TEST_HOLD_IMPORT=str(prepared["hold"])
    )
    started = time.monotonic()
    try:
        # In a thread of its own: the folder's sync Playwright (conftest's browser) may be
        # running an event loop in this one, and asyncio.run refuses to nest.
        with ThreadPoolExecutor(1) as pool:
            log = pool.submit(asyncio.run, _browse(url, prepared)).result()
        xsrf_status = upload_without_xsrf_token(url)
    finally:
        duration = time.monotonic() - started
        server_log = stop_server(proc)

    old, new = prepared["old"], prepared["new"]
    by_phase: dict[str, list[tuple[str, str]]] = {}
    for session in log["reads"]:
        for phase, value, caption in session:
            by_phase.setdefault(phase, []).append((value, caption))
    reads = [r for phase in by_phase.values() for r in phase]
    before, after = prepared["before"], table_state(prepared["db"])
    load_id, held_rows = (int(x) for x in log["held"])
    print(
        f"\nconcurrency (forged upload: HTTP {xsrf_status}): {READERS} reader sessions + 1 "
        f"import session; {len(reads)} overview reads, each a new session "
        f"({', '.join(f'{k} {len(v)}' for k, v in by_phase.items())}; {reads.count(old)} old, "
        f"{reads.count(new)} new, {len(reads) - reads.count(old) - reads.count(new)} other); "
        f"first reads done {log['import_started'] - log['started']:.1f}s after the browser "
        f"started; load of {ORDER_ROWS:,} rows written "
        f"{log['held_at'] - log['import_started']:.1f}s after the click, held "
        f"{log['released'] - log['held_at']:.1f}s, reported "
        f"{log['import_finished'] - log['released']:.1f}s after release; browsing "
        f"{duration:.1f}s; {len(log['errors'])} errors; orders {before['orders'][0]:,} -> "
        f"{after['orders'][0]:,}; {sum(n for n, _ in after.values()):,} rows checked"
    )
    assert xsrf_status == 403  # XSRF protection is on: a forged upload is refused
    assert log["errors"] == []
    assert "Traceback" not in server_log and "Exception" not in server_log, server_log[-3000:]
    assert len(log["reads"]) == READERS
    assert all(len(session) == READS_PER_READER for session in log["reads"])
    assert set(reads) <= {old, new}, set(reads) - {old, new}  # never a mix
    assert by_phase["before"] == [old] * READERS
    # The whole load written and not committed: nobody sees any of it.
    assert by_phase["held"] == [old] * (READERS * HELD_READS)
    assert all(session[-1][1:] == new for session in log["reads"])  # all see it in the end
    assert held_rows == ORDER_ROWS
    # No row lost or doubled: orders grew by the file's rows, everything else is unchanged.
    assert after["orders"][0] == before["orders"][0] + ORDER_ROWS
    assert {t: v for t, v in after.items() if t != "orders"} == {
        t: v for t, v in before.items() if t != "orders"
    }
    con = warehouse.connect(prepared["db"])
    try:
        loads = warehouse.active_loads(con)
        assert len(loads) == 2 and loads.loc[0, "rows_loaded"] == ORDER_ROWS
        new_id = int(loads.loc[0, "load_id"])
        assert new_id == load_id  # the load that was held is the one that landed
        old_orders = con.execute(
            "select count(*), coalesce(sum(hash(o)), 0) from orders o where load_id <> $id",
            {"id": new_id},
        ).fetchall()[0]
        assert old_orders == before["orders"]
    finally:
        con.close()
