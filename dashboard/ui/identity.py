"""Who is using the app (Streamlit side), and the gate that shows nothing else to no one.

Identity, first match wins:
1. Streamlit's own OIDC sign-in (`st.login`, an [auth] section in .streamlit/secrets.toml,
   needs `pip install 'crm-dashboard[auth]'`): the person is st.user's email.
2. A header set by a trusted reverse proxy, named by $CRM_DASHBOARD_TRUSTED_HEADER (e.g.
   X-Forwarded-Email). Safe ONLY behind a proxy that authenticates every request and
   overwrites that header: anyone who can reach the app directly can send any header.
3. Neither: local single-user mode, the admin, as before (unless a roles file is set: then
   nobody, since nobody can be told apart).
dashboard/core/access.py then maps the person to a role and a scope through the roles file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import streamlit as st

from dashboard.core import access

HEADER_ENV = "CRM_DASHBOARD_TRUSTED_HEADER"


def _oidc_providers() -> list[str] | None:
    """None when Streamlit sign-in is not configured; else the provider names ([] = the
    provider set directly in [auth])."""
    try:
        section = st.secrets.get("auth")
    except Exception:  # no secrets.toml at all, or an unreadable one
        return None
    if not section:
        return None
    named = [key for key, value in section.items() if hasattr(value, "items")]
    return named


def _request_headers() -> list[tuple[str, str]]:
    """Headers of the request that opened this session, every copy of a repeated one (a seam
    for tests: AppTest cannot send headers, so they monkeypatch this; a dict also works)."""
    headers = st.context.headers
    return [(key, value) for key in headers or () for value in headers.get_all(key)]


def _header_values(name: str) -> list[str]:
    wanted = name.strip().lower()
    headers = _request_headers()
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return [value for key, value in pairs if key.strip().lower() == wanted]


def _person_from_header(name: str) -> str | access.Access | None:
    """The one value of the trusted header; a refusal when it came more than once (or folded
    into one value with commas, as proxies join repeats): never "the first one wins"."""
    values = _header_values(name)
    if len(values) > 1 or any("," in value for value in values):
        return access.denied(
            f"The request named the person more than once (the {name} header came "
            f"{max(len(values), 2)} times), so it was refused; the proxy in front of the app "
            "must set that header once and drop any copy the client sent."
        )
    return values[0] if values else None


def source() -> str:
    """'oidc', 'header' or 'local': where the person's name comes from."""
    if _oidc_providers() is not None:
        return "oidc"
    if os.environ.get(HEADER_ENV, "").strip():
        return "header"
    return "local"


def current() -> access.Access:
    """What the person in this session may do (re-read every run; the roles file is cached
    until it changes)."""
    kind = source()
    person = None
    if kind == "oidc":
        if not st.user.get("is_logged_in"):
            return access.denied("Please log in.")
        person = st.user.get("email") or st.user.get("preferred_username")
    elif kind == "header":
        person = _person_from_header(os.environ[HEADER_ENV])
        if isinstance(person, access.Access):
            return person
    return access.decide(person, kind, access.configured_path())


def gate() -> access.Access:
    """Called first by the entry script: a person with no access sees why and nothing else."""
    who = current()
    if who.can_read:
        return who
    st.title("No access")
    if source() == "oidc" and not st.user.get("is_logged_in"):
        st.write("This dashboard holds CRM data; sign in to see it.")
        providers = _oidc_providers() or [None]
        for provider in providers:
            label = f"Log in with {provider}" if provider else "Log in"
            if st.button(label, key=f"login_{provider}", type="primary"):
                st.login(provider)
        st.stop()
    st.error(f"You have no access to this dashboard. {who.reason} Ask an admin to add you.")
    if source() == "oidc":
        st.button("Log out", on_click=st.logout)
    st.stop()
    return who  # not reached


def require_import() -> access.Access:
    """For the import page, which navigation hides from viewers and managers; this refuses
    them when they open its URL anyway."""
    who = current()
    if not who.can_import:
        st.error(
            "Importing and undoing loads is for analysts and admins; "
            f"you are signed in as {who.describe()}."
        )
        st.stop()
    return who


def show_in_sidebar(who: access.Access) -> None:
    """Who is signed in, as what, over which data; a log-out button with Streamlit sign-in."""
    with st.sidebar:
        if who.person is None and who.scope.is_everything:
            return  # local single-user mode: nothing to say
        st.caption(f"Signed in as {who.describe()}.", help=_scope_help(who))
        if source() == "oidc":
            st.button("Log out", on_click=st.logout, key="logout")


def _scope_help(who: access.Access) -> str:
    if who.scope.is_everything:
        return "You see every row."
    if who.scope.is_nothing:
        return "Nothing is granted to you: every page stays empty. Ask an admin."
    return "Every page, table and download only counts the rows of the accounts granted to you."


def require_admin() -> access.Access:
    """For the access page: admins only, even when its URL is typed in."""
    who = current()
    if not who.can_see_access:
        st.error(f"The access settings are for admins; you are signed in as {who.describe()}.")
        st.stop()
    return who
