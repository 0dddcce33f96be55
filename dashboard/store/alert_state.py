"""Alert firing state in the warehouse: delivered once per firing, checks remembered.

Tables: migrations/0014_alert_state.sql. Every value is a bound parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from dashboard.store import warehouse


@dataclass(frozen=True)
class Firing:
    """What one check did to a rule's state: is it firing, which firing, did it just start."""

    is_firing: bool
    firing_no: int
    just_fired: bool
    just_cleared: bool


def record(
    con: duckdb.DuckDBPyConnection,
    rule_key: str,
    rule_name: str,
    owner: str | None,
    fires: bool | None,
    value: float | None,
    now: datetime,
    recipients: tuple[str, ...],
) -> Firing:
    """Update a rule's state with one check. `fires` None (no data) leaves it as it was: not
    knowing is neither firing nor clearing. A new firing owes one message per recipient."""
    with warehouse.transaction(con):
        row = con.execute(
            "select is_firing, firing_no from alert_rule_state where rule_key = $key",
            {"key": rule_key},
        ).fetchall()
        was_firing, firing_no = (bool(row[0][0]), int(row[0][1])) if row else (False, 0)
        is_firing = was_firing if fires is None else fires
        just_fired = is_firing and not was_firing
        just_cleared = was_firing and not is_firing
        if just_fired:
            firing_no += 1
        con.execute(
            """
            insert into alert_rule_state values
                ($key, $name, $owner, $is_firing, $firing_no, $value,
                 case when $just_fired then $now end, case when $just_cleared then $now end, $now)
            on conflict (rule_key) do update set
                rule_name = excluded.rule_name,
                is_firing = excluded.is_firing,
                firing_no = excluded.firing_no,
                last_value = coalesce(excluded.last_value, alert_rule_state.last_value),
                fired_at = coalesce(excluded.fired_at, alert_rule_state.fired_at),
                cleared_at = coalesce(excluded.cleared_at, alert_rule_state.cleared_at),
                checked_at = excluded.checked_at
            """,
            {
                "key": rule_key,
                "name": rule_name,
                "owner": owner,
                "is_firing": is_firing,
                "firing_no": firing_no,
                "value": value,
                "just_fired": just_fired,
                "just_cleared": just_cleared,
                "now": now,
            },
        )
        if just_fired:
            for recipient in recipients:
                con.execute(
                    "insert into alert_deliveries values ($key, $no, $to, false, 0, null, null)",
                    {"key": rule_key, "no": firing_no, "to": recipient},
                )
    return Firing(is_firing, firing_no, just_fired, just_cleared)


def undelivered(con: duckdb.DuckDBPyConnection, rule_key: str, firing_no: int) -> list[str]:
    """Recipients the firing still owes a message (new, or failed at an earlier check)."""
    rows = con.execute(
        "select recipient from alert_deliveries where rule_key = $key and firing_no = $no "
        "and not is_delivered order by recipient",
        {"key": rule_key, "no": firing_no},
    ).fetchall()
    return [r[0] for r in rows]


def mark(
    con: duckdb.DuckDBPyConnection,
    rule_key: str,
    firing_no: int,
    recipient: str,
    error: str | None,
    now: datetime,
) -> None:
    """Record one attempt to deliver: done (error None), or why not."""
    con.execute(
        "update alert_deliveries set attempts = attempts + 1, is_delivered = $ok, "
        "delivered_at = case when $ok then $now end, last_error = $error "
        "where rule_key = $key and firing_no = $no and recipient = $to",
        {
            "ok": error is None,
            "now": now,
            "error": error,
            "key": rule_key,
            "no": firing_no,
            "to": recipient,
        },
    )


def last_checked_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The data version the latest check saw; None before the first check."""
    value = warehouse.scalar(con, "select max_by(data_version, check_id) from alert_checks")
    return None if value is None else int(value)


def record_check(
    con: duckdb.DuckDBPyConnection, version: int, trigger: str, fired: int, now: datetime
) -> None:
    con.execute(
        "insert into alert_checks select coalesce(max(check_id), 0) + 1, $now, $version, "
        "$trigger, $fired from alert_checks",
        {"now": now, "version": version, "trigger": trigger, "fired": fired},
    )
