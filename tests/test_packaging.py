"""The wheel carries the whole product under `dashboard` and works installed outside the tree.

A wheel is built from this checkout, installed with pip into a folder of its own and run from
another folder with that folder first on the path, so every module, SQL file, page and sample
export must come from the wheel: nothing may be found through the source tree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Top-level folders that ship inside the package (pyproject's package-dir).
MAPPED = {
    "pages": "dashboard.pages",
    "queries": "dashboard.queries",
    "sample_data": "dashboard.sample_data",
}


def _setuptools() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["tool"]["setuptools"]


def _shipped_files() -> set[str]:
    """Every file of the tree the wheel must hold, by its path inside the wheel."""
    out = {
        str(p.relative_to(ROOT))
        for pattern in ("**/*.py", "**/*.sql", "**/*.toml")
        for p in (ROOT / "dashboard").glob(pattern)
    }
    for folder, package in MAPPED.items():
        inside = package.replace(".", "/")
        for p in (ROOT / folder).rglob("*"):
            if p.is_file() and p.suffix in {".py", ".sql", ".csv", ".md"}:
                out.add(f"{inside}/{p.relative_to(ROOT / folder)}")
    return {name for name in out if "__pycache__" not in name}


def test_every_package_folder_is_listed_for_the_wheel():
    packages = set(_setuptools()["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "dashboard").rglob("*")
        if p.suffix in {".py", ".sql"} and "__pycache__" not in p.parts
    }
    for folder, package in MAPPED.items():  # and their folders of data files
        found |= {
            ".".join((package, *p.parent.relative_to(ROOT / folder).parts))
            for p in (ROOT / folder).rglob("*")
            if p.suffix in {".py", ".sql", ".csv"} and "__pycache__" not in p.parts
        }
    assert found == packages
    assert _setuptools()["package-dir"] == {
        "dashboard": "dashboard",
        **{v: k for k, v in MAPPED.items()},
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "--wheel-dir",
            str(out),
        ],
        check=True,
        capture_output=True,
        cwd=out,
    )
    (built,) = out.glob("crm_dashboard-*.whl")
    return built


@pytest.fixture(scope="module")
def site(wheel, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return target


def test_the_wheel_holds_every_module_query_page_and_sample_file(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    missing = _shipped_files() - names
    assert not missing, sorted(missing)
    assert not [n for n in names if n.split("/")[0] not in {"dashboard"} and ".dist-info" not in n]


def _run(site: Path, cwd: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site), "HOME": str(cwd), "XDG_DATA_HOME": str(cwd)}
    env.pop("CRM_DASHBOARD_DB", None)  # each command names its own --db
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_the_installed_wheel_works_from_another_folder(site, tmp_path):
    where = _run(
        site,
        tmp_path,
        "-c",
        "import dashboard, dashboard.pages as p; from dashboard.core import resources; "
        "print(dashboard.__file__); print(p.__file__); "
        "print(resources.folder('dashboard.queries')); print(resources.folder('dashboard.ui'))",
    )
    assert where.returncode == 0, where.stderr
    assert all(line.startswith(str(site)) for line in where.stdout.split()), where.stdout

    db = tmp_path / "w.duckdb"
    cli = ("-m", "dashboard.cli")
    done = _run(site, tmp_path, *cli, "sample", "--scale", "0.05", "--db", str(db))
    assert done.returncode == 0, done.stderr
    kpis = _run(site, tmp_path, *cli, "kpis", "--db", str(db))
    assert kpis.returncode == 0, kpis.stderr
    assert json.loads(kpis.stdout)["deals_total"] > 0

    export = site / "dashboard" / "sample_data" / "exports" / "pipedrive-deals.csv"
    fresh = tmp_path / "imported.duckdb"
    imported = _run(site, tmp_path, *cli, "import", str(export), "--db", str(fresh))
    assert imported.returncode == 0, imported.stderr + imported.stdout
    loads = _run(site, tmp_path, *cli, "loads", "--db", str(fresh))
    assert "pipedrive-deals.csv" in loads.stdout, loads.stdout + loads.stderr


# Each page of the installed package rendered through its own entry script (the server's
# pages are checked in a real browser by tests/browser).
RENDER_EVERY_PAGE = """
import sys
from streamlit.testing.v1 import AppTest
from dashboard.core import resources

app = str(resources.folder("dashboard.ui") / "app.py")
at = AppTest.from_file(app, default_timeout=120).run()
assert not at.exception, at.exception
for page in ("funnel", "retention", "satisfaction", "competitors", "health", "import"):
    at.switch_page(str(resources.folder("dashboard.pages") / f"{page}.py")).run()
    assert not at.exception, (page, at.exception)
    print(page, at.title[0].value if at.title else "")
"""


def test_every_page_of_the_installed_wheel_renders(site, tmp_path):
    db = tmp_path / "w.duckdb"
    assert (
        _run(
            site, tmp_path, "-m", "dashboard.cli", "sample", "--scale", "0.05", "--db", str(db)
        ).returncode
        == 0
    )
    env_db = {"CRM_DASHBOARD_DB": str(db)}
    result = subprocess.run(
        [sys.executable, "-c", RENDER_EVERY_PAGE],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(site), "HOME": str(tmp_path), **env_db},
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split("\n")[0].startswith("funnel Funnel"), result.stdout
