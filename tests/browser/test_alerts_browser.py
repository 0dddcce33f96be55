"""An import through the page runs the alert check where the load commits: the page says what
fired, the outbox gets the message and a webhook (a local HTTP server) gets the JSON."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, start_server, stop_server

pytestmark = pytest.mark.browser

DEALS = "Deal ID,Company,Stage,Amount\nD1,Acme,Closed Won,1000\nD2,Acme,Closed Lost,500\n"


class Hook(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's method name
        self.server.received.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def hook():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    server.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def alerting_server(tmp_path_factory, hook):
    folder = tmp_path_factory.mktemp("alerts")
    rules = folder / "alerts.toml"
    rules.write_text(
        f'[outbox]\nfolder = "{folder / "outbox"}"\n\n'
        '[[rule]]\nname = "Win rate below 60%"\nmetric = "win_rate"\ncomparison = "below"\n'
        f'threshold = 0.6\nrecipients = ["outbox", "http://127.0.0.1:{hook.server_port}/crm"]\n',
        encoding="utf-8",
    )
    proc, url = start_server(folder / "warehouse.duckdb", CRM_DASHBOARD_ALERTS=str(rules))
    try:
        yield url, folder / "outbox"
    finally:
        stop_server(proc)


def test_an_import_on_the_page_checks_the_alerts(alerting_server, hook, page, tmp_path):
    url, outbox = alerting_server
    export = tmp_path / "deals.csv"
    export.write_text(DEALS)
    page.goto(f"{url}/import", timeout=60_000)
    expect(page.get_by_text("Import your CRM data")).to_be_visible(timeout=90_000)
    page.locator("input[type=file]").set_input_files(str(export))
    expect(page.get_by_text("2 rows will load, 0 will be rejected")).to_be_visible(timeout=90_000)
    page.get_by_role("button", name=re.compile(r"Load 1 file")).click()
    # Only the imported deals remain (the sample is removed): won 1 of 2 closed = 50% < 60%.
    note = page.get_by_text(re.compile(r"Alerts: 1 rule\(s\) checked, 1 firing"))
    expect(note).to_be_visible(timeout=120_000)
    expect(page.get_by_text(re.compile(r"Win rate is below 60\.0%: 50\.0%"))).to_be_visible()
    expect(page.get_by_text(f"sent to http://127.0.0.1:{hook.server_port}/…")).to_be_visible()
    expect(page.get_by_text("/crm")).to_have_count(0)  # the webhook's path may hold a token
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "import-alerts.png"), full_page=True)
    assert len(list(outbox.glob("*.eml"))) == 1
    (body,) = hook.received
    payload = json.loads(body)
    assert (payload["rule"], payload["value"], payload["firing_no"]) == (
        "Win rate below 60%",
        0.5,
        1,
    )
