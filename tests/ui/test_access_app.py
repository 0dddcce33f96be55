"""The app as each role, through the real entry script (AppTest).

AppTest cannot send HTTP headers (st.context.headers comes from the browser's connection), so
the trusted-header tests replace identity._request_headers, the one function that reads them;
tests/browser/test_roles.py sends a real header through the real server. Streamlit sign-in
is tested with AppTest's own seams: at.secrets for [auth] and at.user for st.user."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core import access
from dashboard.ui import identity
from tests.conftest import APP, loaded, page
from tests.golden_data import load_golden

IMPORT_PAGE = page("import.py")
HEADER = "X-Forwarded-Email"
ROLES = """
[people]
"exec@example.com" = "viewer"
"ana@example.com" = "analyst"
"root@example.com" = "admin"
"maria@example.com" = { role = "manager", segments = ["SMB"] }
"nogrant@example.com" = "manager"
"""


@pytest.fixture
def roles_env(app_db, tmp_path, monkeypatch):
    loaded(app_db, load_golden)
    path = tmp_path / "roles.toml"
    path.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv(access.ROLES_ENV, str(path))
    monkeypatch.setenv(identity.HEADER_ENV, HEADER)
    return monkeypatch


def as_person(monkeypatch, person: str | None, path: str = APP, **params) -> AppTest:
    headers = {HEADER.lower(): person} if person else {}
    monkeypatch.setattr(identity, "_request_headers", lambda: headers)
    at = AppTest.from_file(path, default_timeout=60)
    at.query_params["period"] = "all"
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def texts(at: AppTest) -> str:
    return " ".join(str(e.value) for e in [*at.title, *at.error, *at.caption, *at.markdown])


def test_a_viewer_sees_every_row_but_not_import(roles_env):
    at = as_person(roles_env, "EXEC@example.com")  # names compare ignoring case
    assert not at.exception
    assert metrics(at)["Won amount"] == "$4.8K"  # every won deal: 1000 + 3000 + 700 + 100
    assert "viewer" in texts(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(page("import.py"))  # Import is not in a viewer's navigation


def test_a_manager_sees_only_the_granted_segment(roles_env):
    at = as_person(roles_env, "maria@example.com")
    assert not at.exception
    # SMB = account A2: D3 won 3,000 (D1 D5 are Enterprise's, D7's account is unknown)
    assert metrics(at)["Won amount"] == "$3.0K"
    assert at.sidebar.multiselect(key="f_segments").options == ["SMB"]
    assert at.sidebar.multiselect(key="f_owners").options == ["Bob"]
    assert "segments SMB" in texts(at)


def test_a_url_cannot_widen_a_managers_view(roles_env):
    at = as_person(roles_env, "maria@example.com", segment=["Enterprise"], owner=["Ann"])
    assert not at.exception
    # Enterprise and Ann are not offered to her, so the link falls back to her grant
    assert metrics(at)["Won amount"] == "$3.0K"
    assert at.sidebar.multiselect(key="f_segments").value == []


def test_a_manager_with_no_grant_sees_nothing(roles_env):
    at = as_person(roles_env, "nogrant@example.com")
    assert not at.exception
    assert "$" not in metrics(at).get("Won amount", "")  # nothing won that she may see
    assert at.sidebar.multiselect(key="f_segments").options == []
    assert "nothing granted" in texts(at)


@pytest.mark.parametrize("person", ["mallory@example.com", None])
def test_unknown_people_get_the_no_access_page_and_nothing_else(roles_env, person):
    at = as_person(roles_env, person)
    assert not at.exception
    assert at.title[0].value == "No access"
    assert "Ask an admin" in at.error[0].value
    assert not at.metric and not at.sidebar.get("multiselect")


def test_the_import_page_refuses_a_manager_opened_directly(roles_env):
    at = as_person(roles_env, "maria@example.com", path=IMPORT_PAGE)
    assert "for analysts and admins" in at.error[0].value
    assert not at.get("file_uploader")


def test_an_analyst_can_import_and_an_admin_sees_access(roles_env):
    at = as_person(roles_env, "ana@example.com")
    at.switch_page(page("import.py")).run()
    assert not at.exception
    assert at.title[0].value == "Import your CRM data"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(page("access.py"))  # the access settings are the admin's
    root = as_person(roles_env, "root@example.com")
    root.switch_page(page("access.py")).run()
    assert not root.exception
    assert root.title[0].value == "Access"
    people = root.dataframe[0].value
    assert "maria@example.com" in people["Person"].tolist()


def test_streamlit_sign_in(roles_env):
    roles_env.delenv(identity.HEADER_ENV)
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost/oauth2callback", "cookie_secret": "x"}
    at.user = {"is_logged_in": False}
    at.run()
    assert at.title[0].value == "No access"
    assert [b.label for b in at.button] == ["Log in"]
    at.user = {"is_logged_in": True, "email": "maria@example.com", "name": "Maria"}
    at.query_params["period"] = "all"
    at.run()
    assert not at.exception
    assert metrics(at)["Won amount"] == "$3.0K"


def test_local_mode_without_a_roles_file_is_the_admin(app_db, monkeypatch):
    loaded(app_db, load_golden)
    monkeypatch.delenv(access.ROLES_ENV, raising=False)
    monkeypatch.delenv(identity.HEADER_ENV, raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["period"] = "all"
    at.run()
    assert metrics(at)["Won amount"] == "$4.8K"
    at.switch_page(page("import.py")).run()
    assert at.title[0].value == "Import your CRM data"


def test_a_broken_roles_file_is_not_described_to_visitors(roles_env, tmp_path, caplog):
    """Issue 21.9: no file path, no e-mail, no intended role on the page; all of it in the log."""
    path = tmp_path / "roles.toml"
    path.write_text("[people]\n'maria@example.com' = 'boss'\n", encoding="utf-8")
    with caplog.at_level("ERROR", logger="dashboard.access"):
        at = as_person(roles_env, "eve@example.com")
    assert not at.exception
    assert [t.value for t in at.title] == ["No access"]
    shown = texts(at)
    assert access.BROKEN_FILE_SENTENCE in shown
    for secret in (str(path), "roles.toml", "maria", "boss", "is not one of"):
        assert secret not in shown
    assert not at.metric
    assert "maria@example.com" in caplog.text and "'boss'" in caplog.text


@pytest.mark.parametrize(
    "headers",
    [
        [(HEADER, "exec@example.com"), (HEADER.lower(), "root@example.com")],
        [(HEADER, "maria@example.com"), (HEADER, "maria@example.com")],  # even the same name
        [(HEADER, "exec@example.com, root@example.com")],  # repeats folded by a proxy
    ],
)
def test_a_request_naming_the_person_twice_is_refused(roles_env, headers):
    """Issue 21.12: two identity headers were "the first one wins"; now nobody is let in."""
    roles_env.setattr(identity, "_request_headers", lambda: headers)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["No access"]
    assert "(the X-Forwarded-Email header came 2 times), so it was refused" in texts(at)
    assert not at.metric
