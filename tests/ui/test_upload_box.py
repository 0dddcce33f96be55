"""The upload box is rendered only for people who may import (issue 21, point 7): a session on
the no-access page, an executive's or a manager's, is never offered one, even when it opens
the import page's URL. (Streamlit's upload endpoint itself takes a file for any live session:
SECURITY.md says what the proxy must do about that.)"""

from __future__ import annotations

import pytest

from tests.conftest import APP, PAGES
from tests.ui.test_access_app import IMPORT_PAGE, as_person, roles_env  # noqa: F401

EVERY_PAGE = [APP, *sorted(str(p) for p in PAGES.glob("*.py") if p.name != "__init__.py")]


def _upload_boxes(roles_env, person, path) -> int:  # noqa: F811
    at = as_person(roles_env, person, path=path)
    return len(at.get("file_uploader"))


@pytest.mark.parametrize("person", ["mallory@example.com", None, "exec@example.com",
                                    "maria@example.com", "nogrant@example.com"])  # fmt: skip
def test_no_upload_box_for_anyone_who_may_not_import(roles_env, person):  # noqa: F811
    for path in EVERY_PAGE:
        assert _upload_boxes(roles_env, person, path) == 0, f"{person} gets one on {path}"


@pytest.mark.parametrize("person", ["ana@example.com", "root@example.com"])
def test_analysts_and_admins_get_the_upload_box(roles_env, person):  # noqa: F811
    assert _upload_boxes(roles_env, person, IMPORT_PAGE) == 1
