"""The rules file: every mistake is one sentence naming the file, the rule, the key and what to
write; all of them at once; never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.alerts import rules
from dashboard.alerts.rules import RulesError
from dashboard.core.filters import EVERYTHING, NOTHING, Scope

GOOD = """
[smtp]
host = "smtp.example.com"
port = 2525
from = "crm-alerts@example.com"
starttls = false

[outbox]
folder = "/srv/crm/outbox"

[webhook]
timeout_seconds = 5

[[rule]]
name = "Win rate below 25% in SMB"
metric = "win_rate"
comparison = "below"
threshold = 0.25
period = "last-30-days"
segment = "SMB"
region = ["EMEA", "APAC"]
owner = "maria@example.com"
recipients = ["maria@example.com", "https://hooks.example.com/crm/T0K3N", "outbox"]

[[rule]]
name = "Losing to Acme"
metric = "competitor_win_rate"
competitor = "Acme"
comparison = "falls by"
change = "10%"
period = "last-90-days"
recipients = "outbox"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "alerts.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(tmp_path: Path, text: str, env: dict | None = None) -> list[str]:
    with pytest.raises(RulesError) as caught:
        rules.load(_write(tmp_path, text), env or {})
    return caught.value.problems


def test_a_good_file_reads_into_rules_and_settings(tmp_path):
    found = rules.load(_write(tmp_path, GOOD), {})
    first, second = found.rules
    assert (first.metric, first.comparison, first.amount, first.is_relative) == (
        "win_rate",
        "below",
        0.25,
        False,
    )
    assert first.segments == ("SMB",) and first.regions == ("EMEA", "APAC")
    assert first.owner == "maria@example.com"
    assert (second.comparison, second.amount, second.is_relative) == ("falls by", 10.0, True)
    assert second.recipients == ("outbox",) and second.period == "last-90-days"
    assert found.smtp.host == "smtp.example.com" and found.smtp.port == 2525
    assert found.smtp.starttls is False and found.smtp.sender == "crm-alerts@example.com"
    assert found.outbox == Path("/srv/crm/outbox") and found.webhook_timeout == 5


def test_smtp_settings_come_from_the_environment_and_secrets_only_from_there(tmp_path):
    env = {
        "CRM_DASHBOARD_SMTP_HOST": "mail.internal",
        "CRM_DASHBOARD_SMTP_PORT": "465",
        "CRM_DASHBOARD_SMTP_STARTTLS": "true",
        "CRM_DASHBOARD_SMTP_USER": "alerts",
        "CRM_DASHBOARD_SMTP_PASSWORD": "s3cret",
    }
    smtp = rules.load(_write(tmp_path, GOOD), env).smtp
    assert (smtp.host, smtp.port, smtp.starttls) == ("mail.internal", 465, True)
    assert (smtp.user, smtp.password) == ("alerts", "s3cret")
    text = GOOD.replace("starttls = false", 'starttls = false\npassword = "hunter2"')
    (problem,) = _problems(tmp_path, text)
    assert "'password'" in problem and "CRM_DASHBOARD_SMTP_PASSWORD" in problem


# (what is wrong in the first rule, the words its sentence must hold)
MISTAKES = [
    ('metric = "win_rate"', 'metric = "winrate"', ["'metric'", "'winrate'", "win_rate"]),
    ('comparison = "below"', 'comparison = "under"', ["'comparison'", "above, below"[:5]]),
    ("threshold = 0.25", 'threshold = "25%"', ["'threshold'", "0.25"]),
    ("threshold = 0.25", "", ["'threshold'", "write threshold ="]),
    ('period = "last-30-days"', 'period = "last-31-days"', ["'period'", "last-7-days"]),
    ('segment = "SMB"', "segment = [1, 2]", ["'segment'", 'segment = ["SMB"]']),
    ('owner = "maria@example.com"', "owner = 7", ["'owner'", "roles file"]),
    ("recipients = [", 'recipients = ["not an address", ', ["'not an address'", "webhook"]),
    ('name = "Win rate below 25% in SMB"', "", ["'name'", "write a name"]),
    ('metric = "win_rate"', 'metric = "win_rate"\ncolour = "red"', ["unknown key 'colour'"]),
    ('metric = "win_rate"', 'metric = "win_rate"\ncompetitor = "Acme"', ["'competitor'"]),
    ("threshold = 0.25", "threshold = 0.25\nchange = 5", ["'change'", "rename"]),
]


@pytest.mark.parametrize(("old", "new", "words"), MISTAKES)
def test_each_mistake_is_one_sentence_naming_file_rule_and_key(tmp_path, old, new, words):
    problems = _problems(tmp_path, GOOD.replace(old, new, 1))
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem.startswith("alerts.toml, rule 1")
    for word in words:
        assert word in problem
    assert "Traceback" not in problem and problem.count("\n") == 0


def test_mistakes_of_the_second_rule_name_it_and_all_are_listed_at_once(tmp_path):
    text = GOOD.replace('competitor = "Acme"\n', "").replace('period = "last-90-days"', "")
    text = text.replace('metric = "win_rate"', 'metric = "nps_score"')
    problems = _problems(tmp_path, text)
    assert len(problems) == 3, problems
    assert problems[0].startswith("alerts.toml, rule 1 ('Win rate below 25% in SMB'), key 'metric'")
    # The second rule lacks its competitor, and a change over all time has nothing before it.
    assert problems[1].startswith("alerts.toml, rule 2 ('Losing to Acme'), key 'competitor'")
    assert problems[2].startswith("alerts.toml, rule 2 ('Losing to Acme'), key 'period'")


def test_two_rules_of_one_name_are_refused_at_the_second(tmp_path):
    text = GOOD.replace('name = "Win rate below 25% in SMB"', 'name = "losing to ACME"')
    assert _problems(tmp_path, text) == [
        "alerts.toml, rule 2 ('Losing to Acme'), key 'name': another rule has this name; give "
        "each rule its own name."
    ]


def test_a_change_needs_a_positive_amount_or_percent(tmp_path):
    text = GOOD.replace('change = "10%"', 'change = "-3%"')
    (problem,) = _problems(tmp_path, text)
    assert "rule 2" in problem and "'change'" in problem and '"10%"' in problem


def test_email_recipients_need_an_smtp_host_and_sender(tmp_path):
    text = GOOD.replace('host = "smtp.example.com"\n', "").replace(
        'from = "crm-alerts@example.com"\n', ""
    )
    problems = _problems(tmp_path, text)
    assert [p.split(":")[0] for p in problems] == ["alerts.toml, [smtp], key 'host'"] + [
        "alerts.toml, [smtp], key 'from'"
    ]


def test_broken_toml_and_a_missing_file_are_one_sentence(tmp_path):
    (problem,) = _problems(tmp_path, GOOD.replace('metric = "win_rate"', "metric = win_rate"))
    assert problem.startswith("alerts.toml is not valid TOML") and "line" in problem
    with pytest.raises(RulesError) as caught:
        rules.load(tmp_path / "nowhere.toml", {})
    assert caught.value.problems == [
        f"The alerts file {tmp_path / 'nowhere.toml'} (from $CRM_DASHBOARD_ALERTS) does not "
        "exist or cannot be read."
    ]


def test_an_empty_file_says_to_add_a_rule(tmp_path):
    assert _problems(tmp_path, "") == [
        "alerts.toml: no rules; add at least one [[rule]] table (see the README)."
    ]


def test_the_firing_identity_follows_the_definition_and_the_grant(tmp_path):
    smb, emea = Scope(segments=("SMB",)), Scope(regions=("EMEA",))
    rule = rules.load(_write(tmp_path, GOOD), {}).rules[0]
    again = rules.load(_write(tmp_path, GOOD), {}).rules[0]
    assert again.identity(smb) == rule.identity(smb)
    # Two people with the same grant see the same figures: one firing, sent once.
    assert rule.identity(Scope(segments=("SMB", "Mid"))) == rule.identity(
        Scope(segments=("Mid", "SMB"))
    )
    assert len({rule.identity(g) for g in (smb, emea, EVERYTHING, NOTHING)}) == 4
    moved = rules.load(_write(tmp_path, GOOD.replace("0.25", "0.2", 1)), {}).rules[0]
    assert moved.identity(smb) != rule.identity(smb)
    # Who is told is not what fires: a new recipient does not make a new firing.
    told = GOOD.replace('"outbox"]', '"outbox", "ana@example.com"]', 1)
    assert rules.load(_write(tmp_path, told), {}).rules[0].identity(smb) == rule.identity(smb)


def test_the_readme_example_is_a_valid_rules_file(tmp_path):
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Alerts") :]
    example = section[section.index("```toml") + len("```toml") : section.index("```\n", 10)]
    found = rules.load(_write(tmp_path, example), {})
    assert [r.name for r in found.rules] == ["SMB win rate below 25%", "Losing more to Acme"]
    assert found.rules[1].is_relative and found.smtp.starttls


@pytest.mark.parametrize(
    ("written", "read"),
    [("this month", "this-month"), ("Last 12 months", "last-12-months"), ("All time", "all-time")],
)
def test_periods_may_be_written_as_the_sidebar_says_them(tmp_path, written, read):
    text = GOOD.replace('period = "last-30-days"', f'period = "{written}"')
    assert rules.load(_write(tmp_path, text), {}).rules[0].period == read
