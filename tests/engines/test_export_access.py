"""export-parquet writes every table and every row: analysts and admins only, and the files are
the app user's alone (issue 21, point 5)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from dashboard import cli
from dashboard.core import access
from tests.test_access_cli import golden_db, roles  # noqa: F401 - fixtures: exec, ana, maria


def _export(db: Path, out: Path, person: str) -> int:
    return cli.main(["export-parquet", "--db", str(db), "--out", str(out), "--as", person])


@pytest.mark.parametrize(
    ("person", "sentence"),
    [
        ("mallory", "no access: mallory is not in the roles file"),
        ("maria", "maria is a manager; exporting every table to Parquet is for analysts"),
        ("exec", "exec is a viewer; exporting every table to Parquet is for analysts"),
    ],
)
def test_only_analysts_and_admins_export(golden_db, roles, tmp_path, capsys, person, sentence):  # noqa: F811
    out = tmp_path / "lake"
    assert _export(golden_db, out, person) == 2
    captured = capsys.readouterr()
    assert sentence in captured.err and "Traceback" not in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    assert not out.exists()  # nothing written, not even an empty folder


def test_the_export_is_private_to_the_app_user(golden_db, roles, tmp_path, capsys, monkeypatch):  # noqa: F811
    old = os.umask(0o022)  # the common default, under which the issue saw 0644 files
    try:
        for person in ("ana", "admin"):
            if person == "admin":  # no roles file: the local single user, the admin
                monkeypatch.delenv(access.ROLES_ENV)
            out = tmp_path / f"lake-{person}"
            assert _export(golden_db, out, person) == 0, capsys.readouterr().err
            modes = {p: stat.S_IMODE(p.stat().st_mode) for p in [out, *out.rglob("*")]}
            files = [p for p in modes if p.is_file()]
            assert any(p.suffix == ".parquet" for p in files)  # the golden deals are there
            assert all(modes[p] == 0o600 for p in files)
            assert all(modes[p] == 0o700 for p in modes if p.is_dir())
    finally:
        os.umask(old)
