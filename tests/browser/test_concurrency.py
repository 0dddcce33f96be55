"""Concurrency on the real server over loopback: 20 sessions browse while an import runs.

One Chromium, 21 light browser contexts (20 readers, 1 analyst), one `crm-dashboard serve`.
The analyst uploads an orders export on the import page (the import has to go through the
server: DuckDB gives the file to one process) and keeps the sample. Meanwhile each reader
keeps reading the overview's "New customers" tile and its caption, reloading the page between
reads so every read is a fresh session and a full run of the page. Checks:
- no session ever shows an exception or an error, and the server logs no traceback;
- every read is the figure before the import or the figure after it, value and caption from
  the same side (never old customers with new new-customers);
- after the server stops, orders = before + the file's rows; every other table is unchanged
  (row count and checksum); the old orders are untouched; one load more.
The figures (sessions, reads, duration, errors, rows) are printed for the hardening note.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import time
import urllib.error
import urllib.request
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

READERS = 20
NEW_CUSTOMERS = 400
ORDER_ROWS = 20_000
SAMPLE_SCALE = 0.5
TIME_LIMIT_S = 420  # the whole browsing phase; it takes well under two minutes here


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
    return {"db": db, "export": export, "old": old, "new": new, "before": table_state(db)}


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
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


async def _tile(page) -> tuple[str, str]:
    card = page.locator("[data-testid=stMetric]").filter(has_text="New customers")
    value = await card.locator("[data-testid=stMetricValue]").inner_text(timeout=180_000)
    caption = (
        await page.locator("[data-testid=stCaptionContainer]")
        .filter(has_text="customers in all")
        .first.inner_text(timeout=180_000)
    )
    return value.strip(), caption.strip()


async def _problems(page) -> list[str]:
    found = []
    for selector in ("[data-testid=stException]", "[data-testid=stAlertContentError]"):
        for text in await page.locator(selector).all_inner_texts():
            found.append(text[:300])
    return found


async def _reader(browser, url: str, done: asyncio.Event, log: dict, n: int) -> None:
    await asyncio.sleep(0.5 * n)  # sessions arrive one after another, as people do
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    page = await context.new_page()
    try:
        await _browse_as_reader(page, url, done, log)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / f"concurrency-reader-{n}.png"), full_page=True)
        raise
    finally:
        await context.close()


async def _browse_as_reader(page, url: str, done: asyncio.Event, log: dict) -> None:
    reads, errors = [], []
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    await page.goto(url, timeout=120_000)
    reads.append((time.monotonic(), *await _tile(page)))
    finished_reads = 0
    while finished_reads < 2:  # keep reading until two reads after the import finished
        was_done = done.is_set()
        # A reload is a new session and a full run of the page: nothing on screen is left
        # over from the previous read. (Other pages, cold after the load, would make 20
        # sessions recompute the same figures at once on 2 cores: the cache does not merge
        # concurrent misses.)
        await page.reload(timeout=180_000)
        errors += await _problems(page)
        reads.append((time.monotonic(), *await _tile(page)))
        errors += await _problems(page)
        finished_reads += was_done
    log["reads"].append(reads)
    log["errors"] += errors


async def _analyst(browser, url: str, export: Path, done: asyncio.Event, log: dict) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    try:
        await page.goto(f"{url}/import", timeout=120_000)
        await page.get_by_text("Import your CRM data").wait_for(timeout=120_000)
        await page.locator("input[type=file]").set_input_files(str(export), timeout=180_000)
        await page.get_by_text(f"{ORDER_ROWS:,} rows will load, 0 will be rejected").wait_for(
            timeout=120_000
        )
        keep = page.get_by_role("checkbox", name="Remove the sample data")
        await page.get_by_text("Remove the sample data").click(timeout=180_000)
        await page.wait_for_timeout(500)
        assert not await keep.is_checked(timeout=180_000)
        log["import_started"] = time.monotonic()
        await page.get_by_role("button", name=re.compile(r"Load 1 file")).click(timeout=180_000)
        await page.get_by_text(f"Loaded {ORDER_ROWS:,} rows of {export.name}").wait_for(
            timeout=180_000
        )
        log["import_finished"] = time.monotonic()
        log["errors"] += await _problems(page)
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "concurrency-import.png"), full_page=True)
    finally:
        done.set()
        await context.close()


async def _browse(url: str, export: Path) -> dict:
    from playwright.async_api import async_playwright

    log: dict = {"reads": [], "errors": []}
    done = asyncio.Event()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        readers = [asyncio.create_task(_reader(browser, url, done, log, n)) for n in range(READERS)]
        await asyncio.sleep(0.5 * READERS)  # the readers are up when the import starts
        await asyncio.wait_for(
            asyncio.gather(_analyst(browser, url, export, done, log), *readers),
            timeout=TIME_LIMIT_S,
        )
        await browser.close()
    return log


@pytest.mark.timeout(900)  # about 2 minutes on an idle 2-core machine; far more when shared
def test_twenty_sessions_browse_while_an_import_runs(prepared):
    if not shutil.which(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not installed")
    proc, url = start_server(prepared["db"])
    started = time.monotonic()
    try:
        log = asyncio.run(_browse(url, prepared["export"]))
        xsrf_status = upload_without_xsrf_token(url)
    finally:
        duration = time.monotonic() - started
        server_log = stop_server(proc)

    timed = [r for session in log["reads"] for r in session]
    reads = [(value, caption) for _, value, caption in timed]
    old, new = prepared["old"], prepared["new"]
    start, end = log["import_started"], log["import_finished"]
    overlapping = sum(1 for t, *_ in timed if start <= t <= end)
    before, after = prepared["before"], table_state(prepared["db"])
    print(
        f"\nconcurrency (forged upload: HTTP {xsrf_status}): {READERS} reader sessions + 1 "
        f"import session; {len(reads)} overview reads ({reads.count(old)} old, "
        f"{reads.count(new)} new, {len(reads) - reads.count(old) - reads.count(new)} other; "
        f"{overlapping} finished while the load ran); load of {ORDER_ROWS:,} rows took "
        f"{end - start:.1f}s; browsing {duration:.1f}s; {len(log['errors'])} errors; orders "
        f"{before['orders'][0]:,} -> {after['orders'][0]:,}; "
        f"{sum(n for n, _ in after.values()):,} rows checked"
    )
    assert xsrf_status == 403  # XSRF protection is on: a forged upload is refused
    assert log["errors"] == []
    assert "Traceback" not in server_log and "Exception" not in server_log, server_log[-3000:]
    assert len(log["reads"]) == READERS
    assert set(reads) <= {old, new}, set(reads) - {old, new}  # never a mix
    assert all(session[-1][1:] == new for session in log["reads"])  # all see it in the end
    assert old in reads  # reads before the load landed, too
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
        old_orders = con.execute(
            "select count(*), coalesce(sum(hash(o)), 0) from orders o where load_id <> $id",
            {"id": new_id},
        ).fetchall()[0]
        assert old_orders == before["orders"]
    finally:
        con.close()
