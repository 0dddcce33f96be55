"""--stage and --stage-order with several files: each name applies to the deals files whose
stages hold it; a name no deals file holds is refused in one sentence listing every deals
file's stages (before, a stage present in one file refused the others)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard import cli

# Two deals exports whose win stages' words say nothing: the user names them.
NORTH = (
    "Deal ID,Deal Name,Stage,Amount\nA1,Alpha,Lead,100\nA2,Beta,Signed,200\nA3,Gamma,Signed,300\n"
)
SOUTH = "Deal ID,Deal Name,Stage,Amount\nB1,Delta,Intake,50\nB2,Epsilon,Inked,70\n"


def run(capsys, *argv: object) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out, out.err


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    paths = [tmp_path / "north.csv", tmp_path / "south.csv"]
    for path, text in zip(paths, (NORTH, SOUTH), strict=True):
        path.write_text(text, encoding="utf-8")
    return paths


def test_each_stage_choice_goes_to_the_file_that_has_the_stage(capsys, tmp_path, files):
    db = tmp_path / "w.duckdb"
    code, out, err = run(
        capsys, "import", *files, "--db", db, "--stage", "Signed=won", "--stage", "Inked=won"
    )
    assert code == 0, err or out
    code, out, err = run(capsys, "kpis", "--db", db)
    got = json.loads(out)
    # Won: A2 200 + A3 300 (Signed, north.csv) + B2 70 (Inked, south.csv) = 3 deals, $570;
    # open: A1 (Lead), B1 (Intake).
    assert (got["deals_won"], got["deals_open"]) == (3, 2)
    assert got["won_amount"] == pytest.approx(570)


def test_a_stage_order_is_split_between_the_files_the_same_way(capsys, tmp_path, files):
    db = tmp_path / "w.duckdb"
    args = ("import", *files, "--db", db, "--stage", "Signed=won", "--stage", "Inked=won")
    # 'Intake' is only south.csv's, 'Lead' only north.csv's: each file takes its own name
    # (before, north.csv was refused for want of 'Intake').
    code, out, err = run(capsys, *args, "--stage-order", "Intake,Lead")
    assert code == 0, err or out
    assert "Loaded 3 rows of north.csv" in out and "Loaded 2 rows of south.csv" in out


def test_a_stage_no_file_has_is_refused_naming_every_files_stages(capsys, tmp_path, files):
    code, out, err = run(
        capsys, "import", *files, "--db", tmp_path / "w.duckdb", "--stage", "Closed Deal=won"
    )
    assert code != 0
    assert "--stage names 'Closed Deal', which is not a stage of any deals file" in err
    assert "north.csv: 'Lead', 'Signed'" in err and "south.csv: 'Intake', 'Inked'" in err
    assert len(err.strip().splitlines()) == 1
