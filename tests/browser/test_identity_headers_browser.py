"""Issue 21, points 9 and 12 on the real server with Chromium.

12: a client that sends the trusted identity header twice. A small proxy in front of the server
(tests/browser/header_proxy.py) adds the X-Forwarded-Email lines to every request head, as a
careless proxy passing the client's own copy would; st.context.headers then holds both
(Streamlit keeps repeats: headers.get_all).
9: a broken roles file shows the visitor one neutral sentence, while the server log has it all.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import header_proxy
from tests.browser.conftest import start_server, stop_server

pytestmark = pytest.mark.browser
HEADER = "X-Forwarded-Email"
ROLES = '[people]\n"exec@example.com" = "viewer"\n"root@example.com" = "admin"\n'


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("identity")
    roles = folder / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    proc, url = start_server(
        folder / "w.duckdb", CRM_DASHBOARD_ROLES=str(roles), CRM_DASHBOARD_TRUSTED_HEADER=HEADER
    )
    try:
        yield {"url": url, "roles": roles, "proc": proc}
    finally:
        if proc.poll() is None:
            stop_server(proc)


def open_as(browser, url: str, *people: str):
    """The app as a proxy in front of it sends each of `people` in the header (two: a careless
    proxy passing the client's own copy as well)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(header_proxy.through(url, *((HEADER, p) for p in people)), timeout=90_000)
    return page


def test_one_header_lets_the_viewer_in_and_two_headers_are_refused(servers, browser):
    page = open_as(browser, servers["url"], "exec@example.com")  # one header
    expect(page.locator("[data-testid=stMetric]").first).to_be_visible(timeout=120_000)
    expect(page.get_by_text("Signed in as exec@example.com · viewer")).to_be_visible()
    page.context.close()

    # The viewer's header plus an admin's; first-wins would let in a viewer and last-wins an
    # admin. Refused either way.
    page = open_as(browser, servers["url"], "exec@example.com", "root@example.com")
    expect(page.get_by_text("No access", exact=True)).to_be_visible(timeout=120_000)
    expect(page.get_by_text(f"the {HEADER} header came 2 times")).to_be_visible()
    expect(page.locator("[data-testid=stMetric]")).to_have_count(0)
    expect(page.get_by_role("link", name="Access")).to_have_count(0)
    page.context.close()


def test_a_broken_roles_file_tells_the_visitor_nothing_and_the_log_everything(servers, browser):
    """Last in the module: it stops the server to read its log."""
    servers["roles"].write_text('[people]\n"maria@example.com" = "boss"\n', encoding="utf-8")
    page = open_as(browser, servers["url"], "eve@example.com")
    expect(page.get_by_text("No access", exact=True)).to_be_visible(timeout=120_000)
    expect(page.get_by_text("access settings cannot be used right now")).to_be_visible()
    shown = page.locator("[data-testid=stMain]").inner_text()
    for secret in ("roles.toml", "maria", "boss", str(servers["roles"].parent)):
        assert secret not in shown
    page.context.close()
    log = stop_server(servers["proc"])
    assert f"{servers['roles']}: person 'maria@example.com': role 'boss'" in log
    assert log.count("role 'boss'") == 1  # once, not on every rerun
