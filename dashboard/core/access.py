"""Who may see what: roles, the roles file, and the row-level scope a person's grant gives.

Pure (no Streamlit): the app (dashboard/ui/identity.py) and the CLI decide who the person is,
this module decides what they may do. Default deny: an unknown person, a manager with no
grant, or a broken roles file gives no access at all.

The roles file is TOML, its path in $CRM_DASHBOARD_ROLES:

    [people]
    "ceo@example.com" = "viewer"                 # a role alone

    [people."maria@example.com"]
    role = "manager"
    segments = ["SMB"]                           # only SMB accounts...
    regions = ["EMEA"]                           # ...in EMEA (both given: both must hold)

    [people."cara@example.com"]
    role = "manager"
    teams = ["East"]                             # deals of East's owners, accounts they own

Managers are granted segments, regions and/or teams (all given: all must hold), not single
owners. A segment or region belongs to the account, one meaning everywhere. A team is a set
of owners from the owners table (a teams export): the grant keeps the deals whose owner is in
the team, and the accounts whose owner is, with everything keyed by those accounts (orders,
activities, surveys, tickets), as product.md defines "my team". An owner missing from the
owners table is in no team, so a team grant never shows that owner's rows.
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from dashboard.core.filters import EVERYTHING, NOTHING, Scope

ROLES_ENV = "CRM_DASHBOARD_ROLES"
BROKEN_FILE_SENTENCE = (
    "The dashboard's access settings cannot be used right now, so nobody is let in; "
    "the details are in the server log for its operator."
)
log = logging.getLogger("dashboard.access")
_logged: set[str] = set()
GRANT_KEYS = ("segments", "regions", "teams")
MAX_NAME_LENGTH = 320


class Role(StrEnum):
    VIEWER = "viewer"  # executives: every page, read-only, all data
    MANAGER = "manager"  # every page, read-only, within the granted segments/regions/teams
    ANALYST = "analyst"  # all data, and may import and undo loads
    ADMIN = "admin"  # as analyst, and sees the access settings


ROLE_NAMES = ", ".join(r.value for r in Role)


class RolesFileError(ValueError):
    """The roles file is missing or wrong; the message is one sentence naming the file."""


@dataclass(frozen=True)
class Grant:
    """One person's line in the roles file."""

    person: str
    role: Role
    segments: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None
    teams: tuple[str, ...] | None = None

    def scope(self) -> Scope:
        if self.role is not Role.MANAGER:
            return EVERYTHING
        if self.segments is None and self.regions is None and self.teams is None:
            return NOTHING  # a manager with no grant sees nothing (default deny)
        return Scope(self.segments, self.regions, self.teams)


@dataclass(frozen=True)
class Access:
    """What the person using the app or the CLI may do, and why not when they may not."""

    person: str | None
    role: Role | None
    scope: Scope = NOTHING
    reason: str = ""

    @property
    def can_read(self) -> bool:
        return self.role is not None

    @property
    def can_import(self) -> bool:
        """Import files and undo loads (analyst, admin)."""
        return self.role in (Role.ANALYST, Role.ADMIN)

    @property
    def can_see_access(self) -> bool:
        return self.role is Role.ADMIN

    def describe(self) -> str:
        """'maria@example.com · manager · segments SMB · regions EMEA' for the sidebar."""
        if self.role is None:
            return "no access"
        parts = [self.person or "local user", self.role.value]
        if self.scope.is_nothing:
            parts.append("nothing granted")
        else:
            for label, values in (
                ("segments", self.scope.segments),
                ("regions", self.scope.regions),
                ("teams", self.scope.teams),
            ):
                if values is not None:
                    parts.append(f"{label} {', '.join(values)}")
        return " · ".join(parts)


LOCAL = Access(person=None, role=Role.ADMIN, scope=EVERYTHING)


def denied(reason: str, person: str | None = None) -> Access:
    return Access(person=person, role=None, scope=NOTHING, reason=reason)


@dataclass(frozen=True)
class RolesFile:
    path: Path
    grants: dict[str, Grant]  # keyed by the person's name in lower case

    def access_for(self, person: str | None) -> Access:
        name = (person or "").strip()
        if not name:
            return denied("The app could not tell who you are.")
        grant = self.grants.get(name.casefold())
        if grant is None:
            return denied(f"{name} is not in the roles file.", name)
        return Access(person=grant.person, role=grant.role, scope=grant.scope())


def configured_path() -> Path | None:
    value = os.environ.get(ROLES_ENV, "").strip()
    return Path(value).expanduser() if value else None


def decide(person: str | None, source: str, roles_path: Path | None = None) -> Access:
    """Access for a person named by an identity source: 'oidc' (Streamlit login), 'header'
    (trusted proxy), 'cli' (--as or $USER) or 'local' (no identity source configured).

    Without a roles file, local use (the app with no sign-in, and the CLI) is the single
    admin as before; a configured sign-in with no roles file admits nobody. With a roles
    file but no way to tell who is there (the app with no sign-in), nobody is admitted."""
    if roles_path is None:
        if source in ("local", "cli"):
            return LOCAL
        return denied(
            f"Sign-in is configured but no roles file is: set ${ROLES_ENV} to one "
            "(see README, Roles and scope)."
        )
    if source == "local":
        return denied(
            f"A roles file is set (${ROLES_ENV}) but the app has no way to tell who you are: "
            "configure Streamlit sign-in or a trusted proxy header (see README)."
        )
    try:
        roles = load(roles_path)
    except RolesFileError as error:
        # The detail names the file, people and roles: for the server log and the operator
        # (`crm-dashboard roles check`), never for whoever opened the page (issue 21.9).
        _log_once(str(error))
        if source == "cli":
            return denied(str(error), person)
        return denied(BROKEN_FILE_SENTENCE)
    return roles.access_for(person)


def _log_once(detail: str) -> None:
    """Each distinct problem once per process, not on every rerun of every session."""
    if detail not in _logged:
        _logged.add(detail)
        log.error("The roles file cannot be used, so nobody is let in: %s", detail)


def load(path: Path) -> RolesFile:
    """The roles file, validated; re-read when it changes on disk."""
    try:
        stat = path.stat()
    except OSError:
        raise RolesFileError(
            f"The roles file {path} (from ${ROLES_ENV}) does not exist or cannot be read."
        ) from None
    return _load(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load(path: Path, _mtime_ns: int, _size: int) -> RolesFile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise RolesFileError(f"The roles file {path} cannot be read: {error}.") from None
    except tomllib.TOMLDecodeError as error:
        raise RolesFileError(f"The roles file {path} is not valid TOML: {error}.") from None
    return parse(data, path)


def parse(data: dict, path: Path) -> RolesFile:
    """Validate the parsed TOML: one sentence per problem, naming the file and the person."""
    extra = set(data) - {"people"}
    if extra:
        raise RolesFileError(
            f"{path}: unknown top-level setting {sorted(extra)[0]!r}; the file holds one "
            '[people] table, e.g. [people] "ana@example.com" = "analyst".'
        )
    people = data.get("people")
    if not isinstance(people, dict) or not people:
        raise RolesFileError(
            f'{path}: there is no [people] table; add one, e.g. [people] "ana@example.com" = '
            '"analyst".'
        )
    grants: dict[str, Grant] = {}
    for person, entry in people.items():
        grant = _grant(path, person, entry)
        key = person.strip().casefold()
        if key in grants:
            raise RolesFileError(
                f"{path}: {grants[key].person!r} and {person!r} name the same person (names "
                "are compared ignoring case); keep one."
            )
        grants[key] = grant
    return RolesFile(path, grants)


def _grant(path: Path, person: str, entry: object) -> Grant:
    where = f"{path}: person {person!r}"
    if not person.strip() or len(person) > MAX_NAME_LENGTH:
        raise RolesFileError(f"{path}: a person's name is empty or too long.")
    if isinstance(entry, str):
        entry = {"role": entry}
    if not isinstance(entry, dict):
        raise RolesFileError(f'{where}: give a role, e.g. "{person}" = "viewer".')
    unknown = set(entry) - {"role", *GRANT_KEYS}
    if unknown:
        name = sorted(unknown)[0]
        hint = (
            " (managers are granted segments, regions and teams, not owners)"
            if name == "owners"
            else ""
        )
        raise RolesFileError(
            f"{where}: unknown setting {name!r}{hint}; use role, segments, regions, teams."
        )
    try:
        role = Role(str(entry.get("role", "")).strip().lower())
    except ValueError:
        raise RolesFileError(
            f"{where}: role {entry.get('role')!r} is not one of {ROLE_NAMES}."
        ) from None
    values = {key: _values(where, key, entry[key]) for key in GRANT_KEYS if key in entry}
    if values and role is not Role.MANAGER:
        raise RolesFileError(
            f"{where}: only a manager is granted segments, regions or teams (a {role.value} sees "
            "every row); remove them or make the role manager."
        )
    return Grant(
        person.strip(), role, values.get("segments"), values.get("regions"), values.get("teams")
    )


def _values(where: str, key: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RolesFileError(f'{where}: {key} must be a list of names, e.g. {key} = ["SMB"].')
    if not value:
        raise RolesFileError(
            f"{where}: {key} is an empty list, which grants nothing; leave it out to grant "
            f"every {key[:-1]} (within the other grant)."
        )
    return tuple(dict.fromkeys(v.strip() for v in value))


def grants_rows(roles: RolesFile, known: dict[str, list[str]]) -> list[dict[str, str]]:
    """The roles file as rows for the admin's access page; 'check' flags a granted value the
    data does not hold (a typo there grants nothing: values must match the data exactly)."""
    rows = []
    for grant in sorted(roles.grants.values(), key=lambda g: (g.role.value, g.person.lower())):
        unknown = [
            value
            for key, dimension in (
                ("segments", "segment"),
                ("regions", "region"),
                ("teams", "team"),
            )
            for value in getattr(grant, key) or ()
            if value not in known.get(dimension, [])
        ]
        sees = grant.scope()
        rows.append(
            {
                "person": grant.person,
                "role": grant.role.value,
                "segments": ", ".join(grant.segments or ())
                or ("none" if sees.is_nothing else "all"),
                "regions": ", ".join(grant.regions or ()) or ("none" if sees.is_nothing else "all"),
                "teams": ", ".join(grant.teams or ()) or ("none" if sees.is_nothing else "all"),
                "may import": "yes" if grant.role in (Role.ANALYST, Role.ADMIN) else "no",
                "check": (
                    "nothing granted: sees nothing"
                    if sees.is_nothing
                    else f"not in the data: {', '.join(unknown)}"
                    if unknown
                    else ""
                ),
            }
        )
    return rows
