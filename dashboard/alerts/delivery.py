"""Sending one alert message: to the outbox folder (one .eml file per message), by e-mail over
SMTP, or to a webhook (a JSON POST). The standard library does all three (smtplib, email,
urllib): no dependency for a few dozen lines, and nothing that could load a remote resource.

Every failure is one sentence (DeliveryError); the caller records it and tries again at the
next check."""

from __future__ import annotations

import json
import re
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from dashboard.alerts.rules import Smtp, recipient_kind

WEBHOOK_ATTEMPTS = 2  # one retry


class DeliveryError(Exception):
    """A message that could not be delivered, in one sentence."""


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    payload: dict  # what a webhook receives, also attached to outbox files as JSON
    file_stem: str  # the outbox file name, without extension


def send(recipient: str, message: Message, smtp: Smtp, outbox: Path, timeout: float) -> None:
    kind = recipient_kind(recipient)
    if kind == "outbox":
        to_outbox(outbox, message)
    elif kind == "webhook":
        to_webhook(recipient, message, timeout)
    elif kind == "email":
        to_email(recipient.removeprefix("mailto:"), message, smtp)
    else:  # the rules file was validated; kept for a state row from an older file
        raise DeliveryError(f"{recipient!r} is not an e-mail address, webhook URL or outbox.")


def _email(message: Message, sender: str, to: str) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = sender
    mail["To"] = to
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain="crm-dashboard.local")
    mail.set_content(message.text)
    mail.add_attachment(
        json.dumps(message.payload, indent=2, ensure_ascii=False).encode(),
        maintype="application",
        subtype="json",
        filename="alert.json",
    )
    return mail


def to_outbox(folder: Path, message: Message) -> Path:
    """One file per message; written under a temporary name and renamed, so a reader of the
    folder never sees half a message."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{message.file_stem}.eml"
        partial = path.with_suffix(".eml.part")
        mail = _email(message, "crm-dashboard@localhost", "outbox")
        partial.write_bytes(bytes(mail))
        partial.replace(path)
    except OSError as error:
        raise DeliveryError(
            f"could not write to the outbox folder {folder}: {error.strerror or error}"
        ) from error
    return path


def to_email(address: str, message: Message, smtp: Smtp) -> None:
    if not smtp.host or not smtp.sender:
        raise DeliveryError("no SMTP host or sender is set (see [smtp] in the alerts file).")
    mail = _email(message, smtp.sender, address)
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as server:
            if smtp.starttls:
                server.starttls(context=ssl.create_default_context())
            if smtp.user:
                server.login(smtp.user, smtp.password or "")
            server.send_message(mail)
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError(
            f"e-mail to {address} through {smtp.host}:{smtp.port} failed: {_reason(error)}"
        ) from error


def to_webhook(url: str, message: Message, timeout: float) -> None:
    """POST the payload as JSON; one retry after any failure, then give up until next check."""
    body = json.dumps(message.payload, ensure_ascii=False).encode()
    reason = ""
    for _ in range(WEBHOOK_ATTEMPTS):
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": "crm-dashboard-alerts"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                response.read()
                return
        except urllib.error.HTTPError as error:
            reason = f"the server answered {error.code} {error.reason}"
        except (urllib.error.URLError, OSError) as error:
            reason = _reason(getattr(error, "reason", error))
    raise DeliveryError(f"webhook {shown(url)} failed twice: {reason}")


def shown(recipient: str) -> str:
    """A recipient as output and logs may show it: a webhook URL often carries its secret in
    the path or query, so only its host is shown."""
    match = re.match(r"^(https?://[^/?#]+)", recipient)
    return f"{match.group(1)}/…" if match else recipient


def _reason(error: object) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]
