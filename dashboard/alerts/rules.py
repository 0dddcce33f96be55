"""The alert rules file (TOML, path in $CRM_DASHBOARD_ALERTS): read, validated, one sentence
per mistake, every mistake at once. Layout and an example: README, "Alerts"."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.alerts.metrics import METRICS
from dashboard.core.filters import Scope
from dashboard.core.named_periods import NAMES as PERIODS

ENV_VAR = "CRM_DASHBOARD_ALERTS"
COMPARISONS = ("above", "below", "changes by", "rises by", "falls by")
CHANGES = ("changes by", "rises by", "falls by")
SCOPE_KEYS = {"segment": "segments", "region": "regions", "team": "teams"}
RULE_KEYS = {
    "name",
    "metric",
    "competitor",
    "comparison",
    "threshold",
    "change",
    "period",
    "owner",
    "recipients",
    *SCOPE_KEYS,
}
OUTBOX = "outbox"
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
SMTP_KEYS = {"host", "port", "from", "starttls", "timeout_seconds"}
SMTP_ENV = "CRM_DASHBOARD_SMTP_"  # + HOST, PORT, FROM, STARTTLS, USER, PASSWORD
DEFAULT_TIMEOUT = 10.0


class RulesError(ValueError):
    """The rules file has mistakes; .problems holds one sentence for each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(" ".join(problems))


@dataclass(frozen=True)
class Rule:
    name: str
    metric: str
    comparison: str  # one of COMPARISONS
    amount: float  # the threshold (above/below) or the change
    is_relative: bool  # change = "10%": relative to the previous period's value
    period: str
    segments: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    competitor: str | None = None
    owner: str | None = None  # whose scope computes it; None = whoever runs the check
    recipients: tuple[str, ...] = ()

    @property
    def is_change(self) -> bool:
        return self.comparison in CHANGES

    def identity(self, grant: Scope) -> str:
        """The firing identity: the rule's definition and the grant that computes it (its
        owner's, else that of whoever runs the check). Two people with the same grant see the
        same figures, so they share one firing and it is sent once; editing the definition (not
        the recipients) makes a new rule, which may fire and be sent anew."""
        fields = {
            "name": self.name,
            "metric": self.metric,
            "competitor": self.competitor,
            "comparison": self.comparison,
            "amount": self.amount,
            "is_relative": self.is_relative,
            "period": self.period,
            "segments": self.segments,
            "regions": self.regions,
            "teams": self.teams,
            "grant": [
                None if values is None else sorted(values)
                for values in (grant.segments, grant.regions, grant.teams)
            ],
        }
        text = json.dumps(fields, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Smtp:
    host: str | None = None
    port: int = 587
    sender: str | None = None
    starttls: bool = True
    user: str | None = None  # from the environment only, as the password
    password: str | None = None
    timeout: float = DEFAULT_TIMEOUT


@dataclass(frozen=True)
class RuleSet:
    path: Path
    rules: tuple[Rule, ...]
    smtp: Smtp = field(default_factory=Smtp)
    outbox: Path | None = None  # None: beside the database (see check.outbox_folder)
    webhook_timeout: float = DEFAULT_TIMEOUT


def configured_path() -> Path | None:
    value = os.environ.get(ENV_VAR, "").strip()
    return Path(value).expanduser() if value else None


def recipient_kind(recipient: str) -> str | None:
    """'outbox', 'webhook', 'email', or None when it is none of them."""
    if recipient == OUTBOX:
        return "outbox"
    if re.match(r"^https?://[^\s/]+", recipient):
        return "webhook"
    address = recipient.removeprefix("mailto:")
    return "email" if EMAIL.match(address) else None


def load(path: Path, env: dict[str, str] | None = None) -> RuleSet:
    """The rules of `path`; RulesError listing every mistake."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise RulesError(
            [f"The alerts file {path} (from ${ENV_VAR}) does not exist or cannot be read."]
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise RulesError(
            [f"{path.name} is not valid TOML: {error}; fix that line and check again."]
        ) from None
    return parse(data, path, os.environ if env is None else env)


def parse(data: dict, path: Path, env: dict[str, str]) -> RuleSet:
    problems: list[str] = []
    where = path.name
    for key in sorted(set(data) - {"rule", "smtp", "outbox", "webhook"}):
        problems.append(
            f"{where}: unknown section or key {key!r}; write rules as [[rule]] tables, "
            "settings under [smtp], [outbox] or [webhook]."
        )
    entries = data.get("rule", [])
    if not isinstance(entries, list) or not entries:
        problems.append(f"{where}: no rules; add at least one [[rule]] table (see the README).")
        entries = []
    rules, names = [], set()
    for index, entry in enumerate(entries, start=1):
        rule, mistakes = _rule(where, index, entry)
        problems.extend(mistakes)
        if rule is not None:
            if rule.name.casefold() in names:
                problems.append(
                    f"{where}, rule {index} ({rule.name!r}), key 'name': another rule has this "
                    "name; give each rule its own name."
                )
            names.add(rule.name.casefold())
            rules.append(rule)
    smtp = _smtp(where, data.get("smtp", {}), env, problems)
    outbox = _section(where, "outbox", data.get("outbox", {}), {"folder"}, problems)
    webhook = _section(where, "webhook", data.get("webhook", {}), {"timeout_seconds"}, problems)
    folder = outbox.get("folder")
    if folder is not None and not (isinstance(folder, str) and folder.strip()):
        problems.append(f"{where}, [outbox], key 'folder': write a path, e.g. \"/srv/crm/outbox\".")
        folder = None
    timeout = _timeout(where, "[webhook]", webhook.get("timeout_seconds"), problems)
    wants_mail = any(recipient_kind(r) == "email" for rule in rules for r in rule.recipients)
    if wants_mail and not smtp.host:
        problems.append(
            f"{where}, [smtp], key 'host': a rule sends e-mail but no SMTP server is set; write "
            f'host = "smtp.example.com" under [smtp] (or set {SMTP_ENV}HOST).'
        )
    if wants_mail and not smtp.sender:
        problems.append(
            f"{where}, [smtp], key 'from': a rule sends e-mail but no sender is set; write "
            f'from = "crm-alerts@example.com" under [smtp] (or set {SMTP_ENV}FROM).'
        )
    if problems:
        raise RulesError(problems)
    return RuleSet(
        path,
        tuple(rules),
        smtp,
        Path(folder).expanduser() if folder else None,
        timeout,
    )


def _rule(where: str, index: int, entry: object) -> tuple[Rule | None, list[str]]:
    if not isinstance(entry, dict):
        return None, [f"{where}, rule {index}: write each rule as a [[rule]] table."]
    name = entry.get("name")
    here = f"{where}, rule {index}" + (f" ({name!r})" if isinstance(name, str) else "")
    problems = [
        f"{here}: unknown key {key!r}; the keys are {', '.join(sorted(RULE_KEYS))}."
        for key in sorted(set(entry) - RULE_KEYS)
    ]
    if not (isinstance(name, str) and name.strip()):
        problems.append(f"{here}, key 'name': write a name, e.g. name = \"Win rate below 25%\".")
    metric = entry.get("metric")
    if metric not in METRICS:
        problems.append(
            f"{here}, key 'metric': {metric!r} is not a metric; write one of {', '.join(METRICS)}."
        )
    competitor = entry.get("competitor")
    if metric in METRICS and METRICS[metric].needs_competitor:
        if not (isinstance(competitor, str) and competitor.strip()):
            problems.append(
                f"{here}, key 'competitor': {metric} needs one, e.g. competitor = \"Acme\"."
            )
    elif competitor is not None:
        problems.append(
            f"{here}, key 'competitor': only the competitor_* metrics take a competitor; "
            "remove it or pick competitor_win_rate."
        )
    comparison = _comparison(here, entry, problems)
    amount, relative = _amount(here, entry, comparison, problems)
    period = entry.get("period", "all-time")
    if isinstance(period, str):  # "Last 12 months", "this month": the sidebar's words work too
        period = re.sub(r"[\s_]+", "-", period.strip().lower())
    if period not in PERIODS:
        problems.append(
            f"{here}, key 'period': {period!r} is not a period; write one of {', '.join(PERIODS)}."
        )
    elif comparison in CHANGES and period == "all-time":
        problems.append(
            f"{here}, key 'period': a change is measured against the period before, and "
            'all-time has none; write a period such as period = "last-30-days".'
        )
    scope = {
        plural: _names(here, key, entry.get(key), problems) for key, plural in SCOPE_KEYS.items()
    }
    owner = entry.get("owner")
    if owner is not None and not (isinstance(owner, str) and owner.strip()):
        problems.append(
            f"{here}, key 'owner': write the person whose scope applies, e.g. owner = "
            '"maria@example.com" (as in the roles file).'
        )
    recipients = _recipients(here, entry.get("recipients"), problems)
    if problems:
        return None, problems
    return (
        Rule(
            name=name.strip(),
            metric=metric,
            comparison=comparison,
            amount=amount,
            is_relative=relative,
            period=period,
            competitor=competitor.strip() if competitor else None,
            owner=owner.strip() if owner else None,
            recipients=recipients,
            **scope,
        ),
        [],
    )


def _comparison(here: str, entry: dict, problems: list[str]) -> str | None:
    raw = entry.get("comparison")
    comparison = raw.strip().lower().replace("_", " ") if isinstance(raw, str) else None
    if comparison not in COMPARISONS:
        problems.append(
            f"{here}, key 'comparison': {raw!r} is not a comparison; write one of "
            f"{', '.join(repr(c) for c in COMPARISONS)}."
        )
        return None
    return comparison


def _amount(
    here: str, entry: dict, comparison: str | None, problems: list[str]
) -> tuple[float, bool]:
    """The threshold (a number in the metric's unit as `kpis` prints it) or the change (a
    number in that unit, or "10%" of the previous period's value)."""
    if comparison is None:
        return 0.0, False
    wanted, other = ("change", "threshold") if comparison in CHANGES else ("threshold", "change")
    if other in entry:
        problems.append(
            f"{here}, key {other!r}: {comparison!r} takes {wanted} = ..., not {other}; "
            f"rename the key."
        )
    raw = entry.get(wanted)
    number = _number(raw)
    if number is not None:
        if wanted == "change" and number <= 0:
            problems.append(f"{here}, key 'change': write a positive change, e.g. change = 5.")
        return number, False
    if wanted == "change" and isinstance(raw, str) and raw.strip().endswith("%"):
        number = _number(_float(raw.strip()[:-1]))
        if number is not None and number > 0:
            return number, True
    example = (
        'change = 5 (in the metric\'s unit) or change = "10%"'
        if wanted == "change"
        else (
            "threshold = 0.25 (in the metric's unit as `crm-dashboard kpis` prints it: a win rate "
            "of 25% is 0.25, an NPS of 30 is 30)"
        )
    )
    problems.append(f"{here}, key {wanted!r}: got {raw!r}; write {example}.")
    return 0.0, False


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _names(here: str, key: str, value: object, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        problems.append(
            f'{here}, key {key!r}: write a name or a list of names, e.g. {key} = ["SMB"].'
        )
        return ()
    return tuple(v.strip() for v in values)


def _recipients(here: str, value: object, problems: list[str]) -> tuple[str, ...]:
    example = '["ana@example.com", "https://hooks.example.com/crm", "outbox"]'
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        problems.append(f"{here}, key 'recipients': write a list, e.g. recipients = {example}.")
        return ()
    out = []
    for item in value:
        if not isinstance(item, str) or recipient_kind(item.strip()) is None:
            problems.append(
                f"{here}, key 'recipients': {item!r} is neither an e-mail address, an http(s) "
                f'webhook URL nor "outbox"; write e.g. {example}.'
            )
        else:
            out.append(item.strip())
    return tuple(dict.fromkeys(out))


def _section(where: str, name: str, value: object, keys: set[str], problems: list[str]) -> dict:
    if not isinstance(value, dict):
        problems.append(f"{where}: [{name}] must be a table of settings.")
        return {}
    for key in sorted(set(value) - keys):
        hint = ""
        if name == "smtp" and key in ("user", "password"):
            hint = f" (the SMTP {key} is read from ${SMTP_ENV}{key.upper()} only, never a file)"
        problems.append(
            f"{where}, [{name}]: unknown key {key!r}{hint}; the keys are {', '.join(sorted(keys))}."
        )
    return value


def _smtp(where: str, value: object, env: dict[str, str], problems: list[str]) -> Smtp:
    """[smtp] settings, each overridden by $CRM_DASHBOARD_SMTP_<KEY>; user and password from the
    environment only, so the rules file can be shared without a secret in it."""
    table = dict(_section(where, "smtp", value, SMTP_KEYS, problems))
    for key in ("host", "port", "from", "starttls"):
        if env.get(SMTP_ENV + key.upper(), "").strip():
            table[key] = env[SMTP_ENV + key.upper()].strip()
    host, sender = table.get("host"), table.get("from")
    for key, text in (("host", host), ("from", sender)):
        if text is not None and not (isinstance(text, str) and text.strip()):
            problems.append(f"{where}, [smtp], key {key!r}: write it as text in quotes.")
    if isinstance(sender, str) and sender.strip() and not EMAIL.match(sender.strip()):
        problems.append(
            f"{where}, [smtp], key 'from': {sender!r} is not an e-mail address; write e.g. "
            'from = "crm-alerts@example.com".'
        )
    starttls = table.get("starttls", True)
    if isinstance(starttls, str):
        starttls = {
            "true": True,
            "1": True,
            "yes": True,
            "false": False,
            "0": False,
            "no": False,
        }.get(starttls.lower(), starttls)
    if not isinstance(starttls, bool):
        problems.append(f"{where}, [smtp], key 'starttls': write starttls = true or false.")
        starttls = True
    port = table.get("port", 587)
    port = int(port) if isinstance(port, str) and port.isdigit() else port
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        problems.append(f"{where}, [smtp], key 'port': write a port number, e.g. port = 587.")
        port = 587
    return Smtp(
        host=host.strip() if isinstance(host, str) and host.strip() else None,
        port=port,
        sender=sender.strip() if isinstance(sender, str) and sender.strip() else None,
        starttls=starttls,
        user=env.get(SMTP_ENV + "USER") or None,
        password=env.get(SMTP_ENV + "PASSWORD") or None,
        timeout=_timeout(where, "[smtp]", table.get("timeout_seconds"), problems),
    )


def _timeout(where: str, section: str, value: object, problems: list[str]) -> float:
    if value is None:
        return DEFAULT_TIMEOUT
    number = _number(value)
    if number is None or not 0 < number <= 300:
        problems.append(
            f"{where}, {section}, key 'timeout_seconds': write seconds between 1 and 300, "
            "e.g. timeout_seconds = 10."
        )
        return DEFAULT_TIMEOUT
    return number
