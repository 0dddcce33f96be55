"""Firing logic on hand-made rows (tests/alerts/conftest.py), delivered once per firing.

By hand, closed deals by close date:
  April (last-30-days, 1–30 Apr): won D1 (SMB, Acme), D4 (Enterprise); lost D2, D3 (SMB, Acme)
    win rate 2/4 = 0.5; SMB 1/3; Enterprise 1/1; against Acme 1/3
  March (the period before, 2–31 Mar): won D5, D6 (SMB); lost D7 (Enterprise)
    win rate 2/3; SMB 2/2 = 1.0
"""

from __future__ import annotations

from datetime import date, datetime
from email import message_from_bytes

import pytest

from dashboard.alerts import check, rules
from tests.alerts.conftest import more_deals, write_rules

NOW = datetime(2025, 5, 1, 9, 0)


def _rule(name: str, body: str) -> str:
    return f'[[rule]]\nname = "{name}"\nperiod = "last-30-days"\nrecipients = ["outbox"]\n{body}\n'


def _check(con, tmp_path, text: str, person: str | None = None, **options):
    found = rules.load(write_rules(tmp_path, text), {})
    return check.run(con, found, person, now=NOW, **options)


def _by_name(result) -> dict[str, check.Reading]:
    return {r.rule.name: r for r in result.readings}


def test_golden_figures_and_who_fires(company, tmp_path):
    text = "".join(
        [
            # 0.5 is not below 0.5 (strict), but is below 0.51
            _rule("at 0.5", 'metric = "win_rate"\ncomparison = "below"\nthreshold = 0.5'),
            _rule("under 0.51", 'metric = "win_rate"\ncomparison = "below"\nthreshold = 0.51'),
            # 2/3 -> 1/2: down 1/6 = 0.1667 (16.7 points), or 25% of 2/3
            _rule("fell 0.15", 'metric = "win_rate"\ncomparison = "falls by"\nchange = 0.15'),
            _rule("fell 0.2", 'metric = "win_rate"\ncomparison = "falls by"\nchange = 0.2'),
            _rule("fell 25%", 'metric = "win_rate"\ncomparison = "falls by"\nchange = "25%"'),
            _rule("fell 26%", 'metric = "win_rate"\ncomparison = "falls by"\nchange = "26%"'),
            # SMB: 1/3 in April, below 0.4; Enterprise 1/1 is not
            _rule(
                "SMB", 'metric = "win_rate"\ncomparison = "below"\nthreshold = 0.4\nsegment = "SMB"'
            ),
            _rule(
                "APAC",
                'metric = "win_rate"\ncomparison = "below"\nthreshold = 0.4\nregion = "APAC"',
            ),
            # Against Acme: 1 won of 3 closed = 0.3333 < 0.34
            _rule(
                "Acme",
                'metric = "competitor_win_rate"\ncompetitor = "acme"\ncomparison = "below"\n'
                "threshold = 0.34",
            ),
            # Won amount in April: D1 100 + D4 400 = 500 > 499
            _rule("won", 'metric = "won_amount"\ncomparison = "above"\nthreshold = 499'),
        ]
    )
    readings = _by_name(_check(company, tmp_path, text))
    assert readings["at 0.5"].value == 0.5 and readings["at 0.5"].fires is False
    assert readings["under 0.51"].fires is True
    assert readings["fell 0.15"].previous == pytest.approx(2 / 3)
    assert readings["fell 0.15"].previous_period == (date(2025, 3, 2), date(2025, 3, 31))
    assert readings["fell 0.15"].period == (date(2025, 4, 1), date(2025, 4, 30))
    assert [readings[n].fires for n in ("fell 0.15", "fell 0.2", "fell 25%", "fell 26%")] == [
        True,
        False,
        True,
        False,
    ]
    assert readings["SMB"].value == pytest.approx(1 / 3) and readings["SMB"].fires is True
    assert readings["APAC"].value == 1.0 and readings["APAC"].fires is False
    assert readings["Acme"].value == pytest.approx(1 / 3) and readings["Acme"].fires is True
    assert readings["won"].value == 500 and readings["won"].fires is True
    assert readings["under 0.51"].text == (
        "under 0.51: Win rate is below 51.0%: 50.0% (last-30-days, 1 Apr 2025 – 30 Apr 2025, "
        "all segments, regions and teams)"
    )


def test_no_data_is_not_a_firing(company, tmp_path):
    text = _rule("nps", 'metric = "nps"\ncomparison = "below"\nthreshold = 100') + _rule(
        "Zeta",
        'metric = "competitor_win_rate"\ncompetitor = "Zeta"\ncomparison = "below"\nthreshold = 1',
    )
    result = _check(company, tmp_path, text)
    nps, zeta = result.readings
    assert nps.value is None and nps.fires is None and "no value" in nps.text
    assert zeta.fires is None and "no closed deal against Zeta" in zeta.no_data
    assert result.fired == [] and not (tmp_path / "outbox").exists()


def _outbox(tmp_path) -> list[str]:
    folder = tmp_path / "outbox"
    return sorted(p.name for p in folder.glob("*.eml")) if folder.exists() else []


def test_delivered_once_per_firing(company, tmp_path):
    text = _rule("under 0.51", 'metric = "win_rate"\ncomparison = "below"\nthreshold = 0.51')
    first = _check(company, tmp_path, text).readings[0]
    assert (first.fires, first.firing_no, first.just_fired) == (True, 1, True)
    assert [d.error for d in first.deliveries] == [None]
    (sent,) = _outbox(tmp_path)
    assert sent.endswith(f"-{first.identity}-1.eml")
    mail = message_from_bytes((tmp_path / "outbox" / sent).read_bytes())
    assert mail["Subject"].startswith("[CRM alert] under 0.51: Win rate is below 51.0%: 50.0%")

    # Still firing at the next check: nothing is sent again.
    again = _check(company, tmp_path, text).readings[0]
    assert (again.fires, again.firing_no, again.just_fired, again.deliveries) == (
        True,
        1,
        False,
        [],
    )
    assert _outbox(tmp_path) == [sent]

    # Two more April wins: 4/6 = 0.667, not below 0.51: it clears, nothing sent.
    extra = more_deals(
        company,
        [
            ("D8", "A1", "Ann", "won", 1, None, "2025-02-01", "2025-04-11"),
            ("D9", "A1", "Ann", "won", 1, None, "2025-02-01", "2025-04-12"),
        ],
    )
    cleared = _check(company, tmp_path, text).readings[0]
    assert (cleared.value, cleared.fires, cleared.deliveries) == (pytest.approx(4 / 6), False, [])

    # Undo those wins: back to 0.5, it fires again, as firing 2, sent once more.
    from dashboard.store import warehouse

    warehouse.undo_load(company, extra)
    fired_again = _check(company, tmp_path, text).readings[0]
    assert (fired_again.fires, fired_again.firing_no, fired_again.just_fired) == (True, 2, True)
    assert len(_outbox(tmp_path)) == 2 and _outbox(tmp_path)[1].endswith("-2.eml")


def test_if_changed_skips_when_no_load_happened(company, tmp_path):
    text = _rule("under 0.51", 'metric = "win_rate"\ncomparison = "below"\nthreshold = 0.51')
    first = _check(company, tmp_path, text, if_changed=True)
    assert first.skipped is None and len(first.fired) == 1
    second = _check(company, tmp_path, text, if_changed=True)
    assert second.skipped.startswith("no load since the last check") and second.readings == []
    more_deals(company, [("D8", "A1", "Ann", "open", 1, None, "2025-04-01", None)])
    assert _check(company, tmp_path, text, if_changed=True).skipped is None


def test_a_managers_rule_sees_only_the_grant(company, tmp_path, monkeypatch):
    roles = tmp_path / "roles.toml"
    roles.write_text(
        '[people]\n"boss@example.com" = "admin"\n\n'
        '[people."maria@example.com"]\nrole = "manager"\nsegments = ["SMB"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("CRM_DASHBOARD_ROLES", str(roles))
    body = 'metric = "win_rate"\ncomparison = "below"\nthreshold = 0.4'
    text = (
        _rule("maria's", body + '\nowner = "maria@example.com"')
        + _rule("no owner", body)
        + _rule(
            "maria's Enterprise", body + '\nowner = "maria@example.com"\nsegment = "Enterprise"'
        )
        + _rule("stranger's", body + '\nowner = "who@example.com"')
    )
    readings = _by_name(_check(company, tmp_path, text, person="boss@example.com"))
    # Maria sees SMB only: 1/3 < 0.4 fires; the admin running the check sees 2/4 = 0.5.
    assert readings["maria's"].value == pytest.approx(1 / 3) and readings["maria's"].fires
    assert readings["maria's"].owner == "maria@example.com"
    assert readings["no owner"].value == 0.5 and readings["no owner"].fires is False
    assert readings["no owner"].owner == "boss@example.com"
    # Asking for a segment outside the grant gives nothing, never Enterprise's figures.
    assert readings["maria's Enterprise"].value is None
    assert readings["maria's Enterprise"].fires is None
    # An owner the roles file does not know computes nothing.
    assert readings["stranger's"].fires is None
    assert "not in the roles file" in readings["stranger's"].no_data
    # Another grant, other figures: another firing identity. The same grant, the same one.
    assert readings["maria's"].identity != readings["no owner"].identity
    by_admin = _by_name(
        _check(company, tmp_path, _rule("no owner", body), person="boss@example.com")
    )
    assert by_admin["no owner"].identity == readings["no owner"].identity
    monkeypatch.delenv("CRM_DASHBOARD_ROLES")  # no roles file: the local user sees all
    by_local = _by_name(_check(company, tmp_path, _rule("no owner", body), person=None))
    assert by_local["no owner"].identity == readings["no owner"].identity
