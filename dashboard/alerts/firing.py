"""Whether a rule fires, and the words that say so (subject, body, webhook payload)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from dashboard.alerts import metrics
from dashboard.alerts.rules import Rule
from dashboard.core import formatting


@dataclass
class Reading:
    """One rule at one check."""

    rule: Rule
    owner: str | None
    identity: str
    period: tuple[date | None, date | None]
    previous_period: tuple[date | None, date | None] | None = None
    value: float | None = None
    previous: float | None = None
    fires: bool | None = None  # None: not known (no data, or the owner may not read)
    no_data: str | None = None
    text: str = ""
    firing_no: int = 0
    just_fired: bool = False
    deliveries: list[Delivery] = field(default_factory=list)


@dataclass(frozen=True)
class Delivery:
    recipient: str
    error: str | None  # None: delivered


def decide(
    rule: Rule, value: float | None, previous: float | None
) -> tuple[bool | None, str | None]:
    """(fires, None), or (None, why it cannot be told). `above`/`below` are strict; a change
    fires when it is at least the amount asked (`changes by` either way)."""
    if value is None:
        return None, "no value"
    if rule.comparison == "above":
        return value > rule.amount, None
    if rule.comparison == "below":
        return value < rule.amount, None
    if previous is None:
        return None, "no value in the period before to compare with"
    change = value - previous
    if rule.is_relative:
        if previous == 0:
            return None, "the period before is 0, so a change in % means nothing"
        change = 100 * change / abs(previous)
    change = round(change, 9)  # 0.25 -> 0.275 is a 10% rise, not 9.999999999999996%
    if rule.comparison == "rises by":
        return change >= rule.amount, None
    if rule.comparison == "falls by":
        return -change >= rule.amount, None
    return abs(change) >= rule.amount, None


def show_change(rule: Rule, amount: float) -> str:
    """A change in the metric's own terms: '10%' relative, '5.0 pts' of a rate, '$50K'."""
    if rule.is_relative:
        return f"{amount:g}%"
    unit = metrics.METRICS[rule.metric].unit
    if unit == "ratio":
        return f"{100 * amount:.1f} pts"
    if unit in ("percent", "score"):
        return f"{amount:.1f} pts"
    return formatting.FORMATTERS[unit](amount)


def _period(span: tuple[date | None, date | None] | None) -> str:
    if not span or span[0] is None or span[1] is None:
        return "all time"
    return f"{span[0]:%-d %b %Y} – {span[1]:%-d %b %Y}"


def _scope(rule: Rule) -> str:
    parts = [*rule.segments, *rule.regions, *(f"team {t}" for t in rule.teams)]
    return ", ".join(parts) if parts else "all segments, regions and teams"


def sentence(rule: Rule, reading: Reading) -> str:
    """'Win rate below 25%: 21.3% (last-30-days, 2 Nov – 1 Dec 2026, SMB)'."""
    name = metrics.label(rule.metric, rule.competitor)
    when = _period(reading.period)
    where = f"({when if rule.period == 'all-time' else f'{rule.period}, {when}'}, {_scope(rule)})"
    if reading.value is None or (rule.is_change and reading.previous is None):
        return f"{rule.name}: {name} has no value {where}: {reading.no_data}"
    now = metrics.show(rule.metric, reading.value)
    if not rule.is_change:
        asked = metrics.show(rule.metric, rule.amount)
        verb = "is" if reading.fires else "is not"
        return f"{rule.name}: {name} {verb} {rule.comparison} {asked}: {now} {where}"
    before = metrics.show(rule.metric, reading.previous)
    verb = rule.comparison if reading.fires else f"not {rule.comparison}"
    return (
        f"{rule.name}: {name} {verb} {show_change(rule, rule.amount)}: {before} → {now} "
        f"{where}, against {_period(reading.previous_period)}"
    )


def body(reading: Reading) -> str:
    rule = reading.rule
    lines = [
        reading.text,
        "",
        f"Rule: {rule.name}",
        f"Metric: {metrics.label(rule.metric, rule.competitor)} ({rule.metric})",
        f"Period: {rule.period}, {_period(reading.period)}",
        f"Scope: {_scope(rule)}, as {reading.owner or 'the local user'} sees it",
        f"Firing: number {reading.firing_no} of this rule (sent once; again only after it "
        "clears and fires again)",
    ]
    return "\n".join(lines) + "\n"


def facts(reading: Reading) -> dict:
    """The rule and its reading as plain values: the webhook's JSON and `alerts check --format
    json` both start from these."""
    rule = reading.rule
    span = reading.period
    before = reading.previous_period or (None, None)
    return {
        "rule": rule.name,
        "identity": reading.identity,
        "firing_no": reading.firing_no,
        "text": reading.text,
        "metric": rule.metric,
        "competitor": rule.competitor,
        "comparison": rule.comparison,
        "threshold": None if rule.is_change else rule.amount,
        "change": (f"{rule.amount:g}%" if rule.is_relative else rule.amount)
        if rule.is_change
        else None,
        "value": reading.value,
        "previous_value": reading.previous,
        "period": {"name": rule.period, "from": _iso(span[0]), "to": _iso(span[1])},
        "previous_period": {"from": _iso(before[0]), "to": _iso(before[1])},
        "scope": {
            "segments": list(rule.segments),
            "regions": list(rule.regions),
            "teams": list(rule.teams),
        },
        "owner": reading.owner,
    }


def payload(reading: Reading, now: datetime) -> dict:
    """What a webhook receives (and the JSON attached to each e-mail and outbox file)."""
    return {**facts(reading), "fired_at": now.isoformat()}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
