"""Decompression bombs and crash shapes (issue 21, points 1 and 3): refused from metadata, before
the data is read, in one sentence; the import's peak memory stays within a stated budget.

The budget is 400 MB peak RSS for the whole `crm-dashboard import` process (Python, pandas,
DuckDB and pyarrow loaded: about 200 MB here). Before the caps, the 200 MB-string workbook took
the import to about 2 GB and the 30M-row Parquet to about 1.2 GB.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from dashboard.ingest import expansion, files, limits
from dashboard.ingest.errors import ImportProblem
from tests.ingest import bombs

RSS_BUDGET_MB = 400
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bomb_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bombs")


def run_import(path: Path, tmp: Path, *extra: str) -> tuple[int, str, float]:
    """`crm-dashboard import PATH` in a child process: exit code, stderr, peak RSS in MB.
    The peak is the child's own VmHWM, written by the child as it exits: wait4's ru_maxrss
    also counts the forking parent's pages (Linux carries the pre-exec high-water mark over),
    so a pytest worker grown to 600 MB would make every child look that big."""
    peak = tmp / "peak_kb"
    code = (
        "import sys\n"
        "from dashboard.cli import main\n"
        "try:\n"
        "    code = main(sys.argv[1:])\n"
        "finally:\n"
        "    hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]\n"
        f"    open({str(peak)!r}, 'w').write(hwm.split()[1])\n"
        "sys.exit(code)\n"
    )
    args = [sys.executable, "-c", code, "import", str(path), "--db", str(tmp / "w.duckdb"), *extra]
    with open(tmp / "stderr", "w") as err:
        status = subprocess.run(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err).returncode
    return status, (tmp / "stderr").read_text(), int(peak.read_text()) / 1024


BOMBS = {
    # builder, words the refusal must hold (what exceeded which limit)
    "huge_string.xlsx": (bombs.one_huge_string, "CRM_DASHBOARD_MAX_ZIP_RATIO"),
    "small_strings.xlsx": (bombs.many_small_strings, "CRM_DASHBOARD_MAX_ZIP_RATIO"),
    "rows30m.parquet": (bombs.repeated_rows_parquet, "30,000,000 rows"),
    "wide.parquet": (bombs.wide_parquet, "20,000 columns"),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_a_bomb_is_refused_in_one_sentence_within_the_memory_budget(name, bomb_dir, tmp_path):
    build, words = BOMBS[name]
    path = build(bomb_dir / name)
    assert path.stat().st_size < 6 * 1024 * 1024  # small on disk: the cap on bytes lets it in
    code, err, peak_mb = run_import(path, tmp_path, "--table", "orders")
    assert code == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert name in err and words in err, err
    assert peak_mb < RSS_BUDGET_MB, f"{name}: peak RSS {peak_mb:.0f} MB"


def test_the_checks_come_before_openpyxl_reads_anything(bomb_dir, tmp_path, monkeypatch):
    path = bombs.one_huge_string(bomb_dir / "huge_again.xlsx")

    def must_not_run(*args, **kwargs):
        raise AssertionError("the workbook was opened before its expansion was checked")

    monkeypatch.setattr(files, "_read_sheets", must_not_run)
    with pytest.raises(ImportProblem, match="200 MB"):
        files.stage(path, "huge.xlsx", tmp_path / "imports")
    assert not list((tmp_path / "imports").iterdir())  # the staged copy is gone


def test_a_long_text_in_the_shared_strings_is_refused_even_at_a_modest_ratio(tmp_path):
    # 3 MB of varied text (ratio far below 100) in one string, cap lowered to 1,000,000 chars:
    # the streamed count sees 3,145,728 characters in string number 3 (Customer, Amount, it).
    import random

    rng = random.Random(7)
    text = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(3 * 1024 * 1024))
    strings = ["<si><t>Customer</t></si><si><t>Amount</t></si><si><t>", text, "</t></si>"]
    rows = ['<row r="1"><c r="A1" t="s"><v>0</v></c></row>']
    path = bombs.write_workbook(tmp_path / "long.xlsx", rows, strings, dimension="A1:B1")
    with pytest.raises(ImportProblem, match=r"text \(number 3\) of over 1,000,000 characters"):
        expansion.check_workbook(path, "long.xlsx")


def test_the_sheet_dimension_is_checked_against_rows_and_cells(tmp_path, monkeypatch):
    rows = ['<row r="1"><c r="A1" t="s"><v>0</v></c></row>']
    strings = ["<si><t>Customer</t></si>"]
    # A1:C5000 declares 5,000 rows x 3 columns = 15,000 cells.
    path = bombs.write_workbook(tmp_path / "d.xlsx", rows, strings, dimension="A1:C5000")
    expansion.check_workbook(path, "d.xlsx")  # within the defaults
    monkeypatch.setenv("CRM_DASHBOARD_MAX_CELLS", "14999")
    with pytest.raises(ImportProblem, match=r"5,000 rows x 3 columns.*14,999 cells"):
        expansion.check_workbook(path, "d.xlsx")
    monkeypatch.setenv("CRM_DASHBOARD_MAX_ROWS", "4999")
    with pytest.raises(ImportProblem, match="has 5,000 rows"):
        expansion.check_workbook(path, "d.xlsx")


def test_every_limit_reads_its_environment_variable(monkeypatch, tmp_path):
    path = bombs.wide_parquet(tmp_path / "w.parquet", columns=30)
    expansion.check_parquet(path, "w.parquet")
    monkeypatch.setenv("CRM_DASHBOARD_MAX_COLUMNS", "29")
    with pytest.raises(ImportProblem, match="30 columns, over the limit of 29 columns"):
        expansion.check_parquet(path, "w.parquet")
    for limit in limits.ALL:
        monkeypatch.setenv(limit.env, "7")
        assert limit.value == 7
        monkeypatch.setenv(limit.env, "nonsense")  # a typo falls back to the default
        assert limit.value == limit.default


def test_a_preview_never_carries_a_huge_cell_or_too_many_bytes(monkeypatch):
    frame = pd.DataFrame({"line": [2, 3, 4, 5], "name": ["x" * 300, "a", None, "c"]})
    frame["amount"] = [1.5, 2.0, 3.0, 4.0]
    clipped = expansion.clip_preview(frame)
    # 300 characters -> the first 200 and "…"; short cells and numbers untouched.
    assert clipped["name"].tolist()[:2] == ["x" * 200 + "…", "a"]
    assert pd.isna(clipped["name"][2]) and clipped["name"][3] == "c"  # a missing cell stays
    assert clipped["amount"].tolist() == [1.5, 2.0, 3.0, 4.0]
    monkeypatch.setenv("CRM_DASHBOARD_PREVIEW_KB", "1")
    wide = pd.DataFrame({"text": ["y" * 200] * 10})  # 200 characters: not cut, 200 bytes a row
    # 1,024-byte budget: 200, 400, 600, 800, 1,000 fit, 1,200 does not -> 5 rows.
    assert len(expansion.clip_preview(wide)) == 5


CRASHES = {
    # file, what the one sentence must say
    "text_number.xlsx": (bombs.text_in_a_number_cell, "row 3: a cell marked as a number"),
    "wide.parquet": (bombs.wide_parquet, "20,000 columns"),
}


@pytest.mark.parametrize("name", sorted(CRASHES))
def test_a_crash_shape_gives_one_sentence_and_exit_code_2(name, tmp_path):
    build, words = CRASHES[name]
    code, err, _ = run_import(build(tmp_path / name), tmp_path, "--table", "orders")
    assert code == 2 and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1 and words in err, err


def test_a_csv_field_over_128_kb_in_the_first_256_kb_is_read(tmp_path):
    # Before: _csv.Error (field larger than field limit) from the delimiter sniffing.
    path = bombs.long_field_csv(tmp_path / "long.csv", kilobytes=150)
    code, err, _ = run_import(path, tmp_path, "--table", "orders")
    assert code == 0 and "Traceback" not in err, err


def test_a_csv_header_over_the_field_limit_is_one_sentence(tmp_path):
    path = tmp_path / "head.csv"
    path.write_text('"' + "h" * 200_000 + '",b\n1,2\n', encoding="utf-8")
    with pytest.raises(ImportProblem, match=r"header row \(line 1\) has a field longer than 128"):
        files.stage(path, "head.csv", tmp_path / "imports")
