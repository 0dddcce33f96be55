"""Delivery against real local servers started by the test: an SMTP server (aiosmtpd) and an
HTTP server (http.server in a thread). Generous timeouts, no timing asserts."""

from __future__ import annotations

import json
import socket
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from dashboard.alerts import check, rules
from dashboard.alerts.delivery import DeliveryError, Message, to_webhook
from tests.alerts.conftest import UNDER_51, write_rules


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler keeping what it receives; the authenticator records who logged in."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=inbox.authenticate,
        auth_require_tls=False,  # a test server on the loopback; real servers use starttls
    )
    controller.start()
    yield inbox, port
    controller.stop()


class Hook(BaseHTTPRequestHandler):
    """Answers each POST with the next status of `statuses` (then 200), keeping the bodies."""

    def do_POST(self):  # noqa: N802 - http.server's method name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.path, self.headers["Content-Type"], body))
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def http_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    server.received, server.statuses = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _rules(tmp_path, recipients: list[str], smtp_port: int | None = None):
    smtp = (
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nfrom = "crm-alerts@example.com"\n'
        "starttls = false\ntimeout_seconds = 30\n\n[webhook]\ntimeout_seconds = 30\n"
        if smtp_port
        else "[webhook]\ntimeout_seconds = 30\n"
    )
    text = smtp + UNDER_51.format(recipients=json.dumps(recipients))
    env = {"CRM_DASHBOARD_SMTP_USER": "alerts", "CRM_DASHBOARD_SMTP_PASSWORD": "s3cret"}
    return rules.load(write_rules(tmp_path, text), env)


def test_an_alert_email_reaches_the_smtp_server_once(company, tmp_path, smtp_server):
    inbox, port = smtp_server
    found = _rules(tmp_path, ["maria@example.com"], port)
    first = check.run(company, found, None)
    assert [d.error for d in first.readings[0].deliveries] == [None]
    ((sender, to, content),) = inbox.messages
    assert (sender, to) == ("crm-alerts@example.com", ["maria@example.com"])
    assert inbox.logins == [(b"alerts", b"s3cret")]
    mail = message_from_bytes(content, policy=policy.default)
    assert mail["Subject"].startswith("[CRM alert] Win rate under 51%: Win rate is below 51.0%")
    text = mail.get_body(("plain",)).get_content()
    assert "50.0%" in text and "1 Apr 2025 – 30 Apr 2025" in text
    (attachment,) = [p for p in mail.iter_attachments()]
    facts = json.loads(attachment.get_content())
    assert (facts["value"], facts["threshold"], facts["firing_no"]) == (0.5, 0.51, 1)
    # Still firing: not sent again.
    check.run(company, found, None)
    assert len(inbox.messages) == 1


def test_a_webhook_gets_json_and_one_retry(company, tmp_path, http_server):
    url = f"http://127.0.0.1:{http_server.server_port}/hooks/crm"
    http_server.statuses = [503]  # the first attempt fails, the retry goes through
    result = check.run(company, _rules(tmp_path, [url]), None)
    assert [d.error for d in result.readings[0].deliveries] == [None]
    assert len(http_server.received) == 2
    path, kind, body = http_server.received[-1]
    assert (path, kind) == ("/hooks/crm", "application/json")
    payload = json.loads(body)
    assert payload["rule"] == "Win rate under 51%" and payload["value"] == 0.5
    assert payload["period"] == {"name": "last-30-days", "from": "2025-04-01", "to": "2025-04-30"}
    assert payload["identity"] == result.readings[0].identity


def test_a_failed_delivery_is_tried_again_at_the_next_check_and_only_then(
    company, tmp_path, http_server
):
    url = f"http://127.0.0.1:{http_server.server_port}/hook?token=SECRET"
    http_server.statuses = [500, 500]  # both attempts of the first check fail
    found = _rules(tmp_path, [url, "outbox"])
    first = check.run(company, found, None)
    errors = {d.recipient: d.error for d in first.readings[0].deliveries}
    assert errors["outbox"] is None
    assert errors[url].startswith(f"webhook http://127.0.0.1:{http_server.server_port}/… failed")
    assert "SECRET" not in errors[url] and "500" in errors[url]
    # Next check: the webhook is owed its message, the outbox is not sent twice.
    second = check.run(company, found, None)
    assert [(d.recipient, d.error) for d in second.readings[0].deliveries] == [(url, None)]
    assert len(http_server.received) == 3
    assert check.run(company, found, None).readings[0].deliveries == []
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


def test_a_recipient_taken_out_of_the_file_is_not_tried_again(company, tmp_path, http_server):
    url = f"http://127.0.0.1:{http_server.server_port}/hook"
    http_server.statuses = [500, 500]
    first = check.run(company, _rules(tmp_path, [url, "outbox"]), None)
    assert [d.recipient for d in first.readings[0].deliveries if d.error] == [url]
    # Same rule (same identity), the webhook no longer named: nothing more is sent.
    again = check.run(company, _rules(tmp_path, ["outbox"]), None)
    assert again.readings[0].identity == first.readings[0].identity
    assert again.readings[0].deliveries == [] and len(http_server.received) == 2


def test_an_unreachable_webhook_is_one_sentence_after_two_tries():
    port = _free_port()  # nobody listens there
    message = Message("s", "t", {"a": 1}, "x")
    with pytest.raises(DeliveryError) as caught:
        to_webhook(f"http://127.0.0.1:{port}/x", message, timeout=30)
    assert str(caught.value).startswith(f"webhook http://127.0.0.1:{port}/… failed twice:")
