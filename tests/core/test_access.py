"""Roles file, roles and grants (dashboard/core/access.py), and how a grant narrows Filters."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from dashboard.core import access
from dashboard.core.access import Role
from dashboard.core.filters import EVERYTHING, NOTHING, Filters, Scope

ROLES = """
[people]
"ceo@example.com" = "viewer"
"Ana@Example.com" = "analyst"
"root" = { role = "admin" }

[people."maria@example.com"]
role = "manager"
segments = ["SMB"]

[people."raj@example.com"]
role = "manager"
segments = ["SMB", "Enterprise"]
regions = ["EMEA"]

[people."nogrant@example.com"]
role = "manager"
"""


@pytest.fixture
def roles_file(tmp_path: Path) -> Path:
    path = tmp_path / "roles.toml"
    path.write_text(ROLES, encoding="utf-8")
    return path


def test_people_get_their_role_and_scope_ignoring_case(roles_file):
    roles = access.load(roles_file)
    ceo = roles.access_for("CEO@example.com")
    assert (ceo.role, ceo.scope, ceo.can_import) == (Role.VIEWER, EVERYTHING, False)
    ana = roles.access_for(" ana@example.com ")
    assert (ana.person, ana.role, ana.can_import, ana.can_see_access) == (
        "Ana@Example.com",
        Role.ANALYST,
        True,
        False,
    )
    assert roles.access_for("root").can_see_access
    maria = roles.access_for("maria@example.com")
    assert (maria.role, maria.scope, maria.can_import) == (
        Role.MANAGER,
        Scope(segments=("SMB",)),
        False,
    )
    raj = roles.access_for("raj@example.com")
    assert raj.scope == Scope(("SMB", "Enterprise"), ("EMEA",))
    assert raj.describe() == "raj@example.com · manager · segments SMB, Enterprise · regions EMEA"


def test_default_deny(roles_file):
    roles = access.load(roles_file)
    stranger = roles.access_for("mallory@example.com")
    assert not stranger.can_read and stranger.scope == NOTHING
    assert "not in the roles file" in stranger.reason
    assert not roles.access_for("").can_read and not roles.access_for(None).can_read
    nogrant = roles.access_for("nogrant@example.com")  # a manager granted nothing
    assert nogrant.can_read and nogrant.scope.is_nothing
    assert Filters().within(nogrant.scope).params()["segments"] == []


def test_decide_by_identity_source(roles_file):
    assert access.decide(None, "local", None) == access.LOCAL  # no roles file: as today
    assert access.decide("anyone", "cli", None).role is Role.ADMIN
    # a sign-in without a roles file, or a roles file without a sign-in, admits nobody
    assert not access.decide("ana@example.com", "header", None).can_read
    assert not access.decide("ana@example.com", "oidc", None).can_read
    assert not access.decide(None, "local", roles_file).can_read
    assert access.decide("ana@example.com", "header", roles_file).role is Role.ANALYST
    missing = access.decide("ana@example.com", "cli", roles_file.with_name("nope.toml"))
    assert not missing.can_read and "does not exist" in missing.reason


def test_the_file_is_reread_when_it_changes(roles_file):
    assert access.load(roles_file).access_for("new@example.com").role is None
    roles_file.write_text(ROLES + '\n[people."new@example.com"]\nrole = "viewer"\n')
    assert access.load(roles_file).access_for("new@example.com").role is Role.VIEWER


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[people]\nx = 'boss'", "person 'x': role 'boss' is not one of viewer, manager"),
        ("[people]\nx = { role = 'viewer', segments = ['SMB'] }", "only a manager is granted"),
        ("[people]\nx = { role = 'manager', owners = ['Ann'] }", "not owners"),
        ("[people]\nx = { role = 'manager', segments = 'SMB' }", "must be a list of names"),
        ("[people]\nx = { role = 'manager', segments = [] }", "empty list, which grants nothing"),
        ("[people]\nx = { role = 'manager', regions = [1] }", "regions must be a list of names"),
        ("[people]\nAna = 'viewer'\nana = 'admin'", "name the same person"),
        ("[people]\nx = 3", "give a role"),
        ("[persons]\nx = 'viewer'", "unknown top-level setting 'persons'"),
        ("", "there is no [people] table"),
        ("[people\nx = 'viewer'", "is not valid TOML"),
    ],
)
def test_roles_file_problems_are_one_sentence_naming_the_file(tmp_path, text, message):
    path = tmp_path / "roles.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(access.RolesFileError) as error:
        access.load(path)
    assert message in str(error.value)
    assert str(path) in str(error.value)
    assert "\n" not in str(error.value)


def test_a_broken_roles_file_admits_nobody_and_tells_visitors_nothing(tmp_path, caplog):
    """Issue 21.9: the visitor's sentence names no file, person or role; the log has it all;
    the CLI (run by someone who can read the file anyway) still gets the detail."""
    path = tmp_path / "roles.toml"
    path.write_text("[people]\n'maria@example.com' = 'superuser'\n", encoding="utf-8")
    for source, person in (("header", "maria@example.com"), ("oidc", "eve@example.com")):
        with caplog.at_level("ERROR", logger="dashboard.access"):
            who = access.decide(person, source, path)
        assert not who.can_read and who.person is None
        assert who.reason == access.BROKEN_FILE_SENTENCE
        for secret in ("superuser", "maria", str(path), "roles.toml", "@"):
            assert secret not in who.reason
    assert "maria@example.com" in caplog.text and "superuser" in caplog.text
    assert str(path) in caplog.text
    assert caplog.text.count("superuser") == 1  # logged once, not on every rerun
    cli_who = access.decide("maria@example.com", "cli", path)
    assert not cli_who.can_read and "superuser" in cli_who.reason


# ---------------------------------------------------------------- Filters within a grant


def test_nothing_chosen_means_everything_granted():
    scoped = Filters().within(Scope(segments=("SMB",)))
    assert scoped.segments == ("SMB",)
    assert scoped.params() == {
        "start_date": None,
        "end_date": None,
        "segments": ["SMB"],
        "regions": None,
        "owners": None,
        "teams": None,
    }


def test_choices_are_intersected_and_nothing_is_not_all():
    grant = Scope(segments=("SMB", "Mid"), regions=("EMEA",))
    both = Filters(segments=("SMB", "Enterprise"), owners=("Ann",)).within(grant)
    assert both.params()["segments"] == ["SMB"]
    assert both.params()["regions"] == ["EMEA"]
    assert both.params()["owners"] == ["Ann"]
    none_left = Filters(regions=("APAC",)).within(grant)
    assert none_left.scope == NOTHING
    assert {k: none_left.params()[k] for k in ("segments", "regions", "owners")} == {
        "segments": [],
        "regions": [],
        "owners": [],
    }
    assert Filters().params()["segments"] is None  # unscoped: None still means all


def test_narrowing_twice_never_widens():
    once = Filters().within(Scope(segments=("SMB", "Mid")))
    twice = once.within(Scope(segments=("Mid", "Enterprise")))
    assert twice.params()["segments"] == ["Mid"]
    assert once.within(EVERYTHING) == once
    day = date(2025, 1, 1)
    prior = Filters(day, day).within(NOTHING).previous_period()
    assert prior.params()["segments"] == []  # the prior period keeps the grant
    assert replace(once, segments=()).params()["segments"] == ["SMB", "Mid"]


def test_scope_params_ignore_the_choices_but_not_the_grant():
    chosen = Filters(segments=("SMB",), owners=("Ann",))
    assert chosen.scope_params() == {
        "segments": None,
        "regions": None,
        "owners": None,
        "teams": None,
    }
    scoped = chosen.within(Scope(regions=("EMEA",)))
    assert scoped.scope_params() == {
        "segments": None,
        "regions": ["EMEA"],
        "owners": None,
        "teams": None,
    }
    assert Filters(scope=NOTHING).scope_params() == {
        "segments": [],
        "regions": [],
        "owners": [],
        "teams": [],
    }


def test_the_scope_is_part_of_the_cache_key():
    """st.cache_data keys on the Filters value: two people with different grants and the same
    choices must not share an entry."""
    a, b = Filters().within(Scope(segments=("SMB",))), Filters().within(EVERYTHING)
    assert a != b and hash(a) != hash(b)
    assert Filters(scope=NOTHING) != Filters()


def test_grants_rows_for_the_admin_page(roles_file):
    rows = access.grants_rows(
        access.load(roles_file), {"segment": ["SMB", "Mid"], "region": ["EMEA"]}
    )
    by_person = {r["person"]: r for r in rows}
    assert by_person["raj@example.com"]["check"] == "not in the data: Enterprise"
    assert by_person["nogrant@example.com"]["check"] == "nothing granted: sees nothing"
    assert by_person["nogrant@example.com"]["segments"] == "none"
    assert by_person["ceo@example.com"]["segments"] == "all"
    assert by_person["Ana@Example.com"]["may import"] == "yes"
    assert by_person["maria@example.com"]["segments"] == "SMB"


def test_a_team_grant_narrows_like_a_segment_grant():
    """teams = ["East"]: nothing chosen = East; a choice outside it = nothing; a choice inside
    it stays; other dimensions keep their own grant."""
    grant = Scope(teams=("East",))
    assert Filters().within(grant).params()["teams"] == ["East"]
    assert Filters(teams=("West",)).within(grant).params()["teams"] == []
    assert Filters(teams=("West",)).within(grant).params()["segments"] == []  # nothing at all
    inside = Filters(teams=("East", "West"), segments=("SMB",)).within(grant)
    assert (inside.params()["teams"], inside.params()["segments"]) == (["East"], ["SMB"])
    assert not grant.is_everything and not grant.is_nothing
    assert (grant & Scope(teams=("East", "West"))).teams == ("East",)
    assert Filters(scope=grant).scope_params()["teams"] == ["East"]


def test_the_roles_file_grants_teams(tmp_path):
    path = tmp_path / "roles.toml"
    path.write_text(
        '[people]\n"cara@example.com" = { role = "manager", teams = ["East", "Typo"] }\n'
        '"ed@example.com" = "viewer"\n',
        encoding="utf-8",
    )
    roles = access.load(path)
    cara = roles.access_for("cara@example.com")
    assert cara.scope == Scope(teams=("East", "Typo"))
    assert cara.describe() == "cara@example.com · manager · teams East, Typo"
    rows = {r["person"]: r for r in access.grants_rows(roles, {"team": ["East", "West"]})}
    assert rows["cara@example.com"]["teams"] == "East, Typo"
    assert rows["cara@example.com"]["check"] == "not in the data: Typo"
    assert rows["ed@example.com"]["teams"] == "all"
    path.write_text('[people]\nx = { role = "viewer", teams = ["East"] }\n', encoding="utf-8")
    with pytest.raises(access.RolesFileError, match="only a manager is granted"):
        access.load(path)
