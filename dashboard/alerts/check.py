"""Check the alert rules against the warehouse, keep their firing state, deliver once per firing.

Run by `crm-dashboard alerts check` and, through `after_load`, after every load on the command
line and the import page. A rule's figures are computed in its owner's scope (its `owner` key,
else the person running the check), exactly as that person's pages would show them.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.alerts import firing, metrics
from dashboard.alerts.delivery import DeliveryError, Message, send, shown
from dashboard.alerts.firing import Delivery, Reading
from dashboard.alerts.rules import Rule, RulesError, RuleSet, configured_path, load
from dashboard.core import access, queries
from dashboard.core.filters import Filters
from dashboard.core.named_periods import period_range, previous_range
from dashboard.ingest.remap import db_path
from dashboard.store import alert_state, warehouse

log = logging.getLogger(__name__)


@dataclass
class CheckResult:
    path: Path
    data_version: int
    readings: list[Reading] = field(default_factory=list)
    skipped: str | None = None  # why nothing was checked (--if-changed, no load since)

    @property
    def fired(self) -> list[Reading]:
        return [r for r in self.readings if r.fires]


def outbox_folder(rules: RuleSet, con: duckdb.DuckDBPyConnection) -> Path:
    """The [outbox] folder, else `outbox/` beside the database file."""
    return rules.outbox or db_path(con).parent / "outbox"


def run(
    con: duckdb.DuckDBPyConnection,
    rules: RuleSet,
    person: str | None,
    *,
    trigger: str = "cli",
    if_changed: bool = False,
    now: datetime | None = None,
) -> CheckResult:
    """Check every rule, update its state, and deliver what new firings owe."""
    now = now or datetime.now().replace(microsecond=0)
    version = warehouse.data_version(con)
    result = CheckResult(rules.path, version)
    if if_changed and alert_state.last_checked_version(con) == version:
        result.skipped = f"no load since the last check (data version {version})"
        return result
    dates = queries.run_one(con, "data_date_range", {})
    last = dates["last_date"]
    as_of = now.date() if last is None else pd.Timestamp(last).date()
    reader = metrics.Reader(con)
    outbox = outbox_folder(rules, con)
    for rule in rules.rules:
        reading = _read(reader, rule, rule.owner or person, as_of)
        state = alert_state.record(
            con,
            reading.identity,
            rule.name,
            reading.owner,
            reading.fires,
            reading.value,
            now,
            rule.recipients,
        )
        reading.firing_no, reading.just_fired = state.firing_no, state.just_fired
        if state.is_firing:
            reading.deliveries = _deliver(con, rules, reading, outbox, now)
        result.readings.append(reading)
    alert_state.record_check(con, version, trigger, len(result.fired), now)
    return result


def _read(reader: metrics.Reader, rule: Rule, owner: str | None, as_of: date) -> Reading:
    start, end = period_range(rule.period, as_of)
    who = access.decide(owner, "cli", access.configured_path())
    reading = Reading(rule, owner, rule.identity(who.scope), (start, end))
    if not who.can_read:
        reading.no_data = f"its owner cannot read the data: {who.reason}"
        reading.text = f"{rule.name}: not checked, {reading.no_data}"
        return reading
    filters = Filters(start, end, rule.segments, rule.regions, teams=rule.teams).within(who.scope)
    reading.value, reading.no_data = reader.value(rule.metric, filters, rule.competitor)
    if rule.is_change and reading.value is not None:
        before = previous_range(rule.period, as_of)
        reading.previous_period = before
        earlier = Filters(*before, rule.segments, rule.regions, teams=rule.teams)
        reading.previous, why = reader.value(
            rule.metric, earlier.within(who.scope), rule.competitor
        )
        reading.no_data = why and f"the period before: {why}"
    if reading.no_data is None:
        reading.fires, reading.no_data = firing.decide(rule, reading.value, reading.previous)
    reading.text = firing.sentence(rule, reading)
    return reading


def _deliver(
    con: duckdb.DuckDBPyConnection, rules: RuleSet, reading: Reading, outbox: Path, now: datetime
) -> list[Delivery]:
    """Send the messages this firing still owes: all of them when it has just fired, the ones
    that failed before when it keeps firing (if the file still names them), none once every
    one went."""
    message = _message(reading, now)
    out = []
    owed = alert_state.undelivered(con, reading.identity, reading.firing_no)
    for recipient in [r for r in owed if r in reading.rule.recipients]:
        try:
            send(recipient, message, rules.smtp, outbox, rules.webhook_timeout)
            error = None
        except DeliveryError as failure:
            error = str(failure)
        alert_state.mark(con, reading.identity, reading.firing_no, recipient, error, now)
        out.append(Delivery(recipient, error))
    return out


def _message(reading: Reading, now: datetime) -> Message:
    rule = reading.rule
    slug = re.sub(r"[^a-z0-9]+", "-", rule.name.casefold()).strip("-")[:40] or "rule"
    return Message(
        subject=f"[CRM alert] {reading.text}",
        text=firing.body(reading),
        payload=firing.payload(reading, now),
        file_stem=f"{now:%Y%m%dT%H%M%S}-{slug}-{reading.identity}-{reading.firing_no}",
    )


def after_load(con: duckdb.DuckDBPyConnection, person: str | None) -> list[str]:
    """The check after a load commits, in lines for the person who loaded; [] when no alerts
    file is set. Never raises: a broken rules file or a failed delivery never fails a load."""
    path = configured_path()
    if path is None:
        return []
    try:
        result = run(con, load(path), person, trigger="after load")
    except RulesError as error:
        return [f"Alerts not checked: {problem}" for problem in error.problems]
    except Exception as error:  # noqa: BLE001 - the load has committed; say so and go on
        log.exception("alert check after a load failed")
        return [f"Alerts not checked: {type(error).__name__}: {str(error).splitlines()[0]}"]
    return summary(result)


def summary(result: CheckResult) -> list[str]:
    """A few lines: what fired, what was sent, what failed."""
    if result.skipped:
        return [f"Alerts: nothing checked, {result.skipped}."]
    lines = [
        f"Alerts: {len(result.readings)} rule(s) checked, {len(result.fired)} firing "
        f"({result.path.name})."
    ]
    for reading in result.readings:
        if reading.fires or reading.fires is None:
            lines.append(f"  {'FIRING' if reading.fires else 'no data'}: {reading.text}")
        for sent in reading.deliveries:
            lines.append(
                f"    sent to {shown(sent.recipient)}"
                if sent.error is None
                else f"    not sent to {shown(sent.recipient)}: {sent.error} (tried again next "
                "check)"
            )
    return lines


def as_json(result: CheckResult) -> dict:
    """What `alerts check --format json` prints."""
    return {
        "rules_file": str(result.path),
        "data_version": result.data_version,
        "skipped": result.skipped,
        "fired": len(result.fired),
        "rules": [_reading_json(r) for r in result.readings],
    }


def _reading_json(reading: Reading) -> dict:
    return {
        **firing.facts(reading),
        "fires": reading.fires,
        "no_data": reading.no_data,
        "just_fired": reading.just_fired,
        "deliveries": [
            {"recipient": shown(d.recipient), "delivered": d.error is None, "error": d.error}
            for d in reading.deliveries
        ],
    }
