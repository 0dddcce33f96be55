"""Remap a past load without uploading it again (issue 17, point 8): from the kept file, as
one load that supersedes the old one; undoing it brings the old load back."""

import json
from pathlib import Path

import pytest

from dashboard import cli
from dashboard.core import measures
from dashboard.core.filters import Filters
from dashboard.ingest import kept, loader, remap
from dashboard.ingest.errors import ImportProblem
from dashboard.store import sample, summaries, warehouse

HUBSPOT = (
    Path(__file__).parent
    / "real_exports"
    / "hubspot-no-amount"
    / "hubspot-crm-exports-all-deals-2024-08-27.csv"
)
# Won deals' cycles (see tests/analytics/test_no_data.py): 77.62, 60.58, 55.53 -> median
# 61 days - 10 hours (9871002, created 2024-02-01 10:00, closed 2024-04-02).
HUBSPOT_CYCLE = 61 - 10 / 24


def import_file(con, path: Path = HUBSPOT, overrides=None) -> int:
    inspection = loader.inspect(con, path, path.name, overrides=overrides)
    try:
        return loader.commit(con, inspection, user="test").load_id
    finally:
        loader.close(con, inspection)


def deal_rows(con):
    return con.execute("select * from deals order by deal_id").fetchall()


def load_state(con, load_id):
    return con.execute(
        "select undone_at is null, superseded_by from loads where load_id = $id", {"id": load_id}
    ).fetchall()[0]


def test_every_committed_load_keeps_its_staged_file(con, db_path):
    load_id = import_file(con)
    path = kept.find(warehouse.import_dir(db_path), load_id)
    assert path is not None and path.name.startswith(f"{load_id}-")
    assert "Create Date" in path.read_text(encoding="utf-8")


def test_remap_created_at_turns_a_null_sales_cycle_into_the_median(con):
    old = import_file(con, overrides={"created_at": ""})
    assert measures.kpis(con, Filters())["median_sales_cycle_days"] is None
    result = remap.remap(con, old, {"created_at": "Create Date"}, user="test")
    out = measures.kpis(con, Filters())
    assert out["median_sales_cycle_days"] == pytest.approx(HUBSPOT_CYCLE)
    assert out["deals_total"] == 6  # the old rows are replaced, not added to
    assert load_state(con, old) == (False, result.load_id)
    assert load_state(con, result.load_id) == (True, None)
    mapping = json.loads(
        warehouse.scalar(
            con, "select details from loads where load_id = $id", {"id": result.load_id}
        )
    )["mapping"]
    assert mapping["fields"]["created_at"]["columns"] == ["Create Date"]
    assert mapping["fields"]["owner"]["columns"] == ["Deal owner"]  # the rest as recorded
    assert f"Undo load {result.load_id} to go back to load {old}" in result.message


def test_undoing_the_remap_brings_the_old_load_back(con):
    old = import_file(con, overrides={"created_at": ""})
    before = deal_rows(con)
    new = remap.remap(con, old, {"created_at": "Create Date"}, user="test").load_id
    assert deal_rows(con) != before
    warehouse.undo_load(con, new)
    assert deal_rows(con) == before  # the same rows, load ids included: as before the remap
    assert load_state(con, old) == (True, None)  # the old load is in effect again
    assert measures.kpis(con, Filters())["median_sales_cycle_days"] is None
    warehouse.undo_load(con, old)  # and it can still be undone itself
    assert deal_rows(con) == []


def test_the_superseded_load_cannot_be_undone_or_remapped_again(con):
    old = import_file(con, overrides={"created_at": ""})
    new = remap.remap(con, old, {"created_at": "Create Date"}, user="test").load_id
    with pytest.raises(warehouse.WarehouseError, match=f"remapped as load {new}"):
        warehouse.undo_load(con, old)
    with pytest.raises(ImportProblem, match=f"already remapped as load {new}"):
        remap.remap(con, old, {}, user="test")


def test_a_failing_remap_changes_nothing(con, monkeypatch):
    old = import_file(con, overrides={"created_at": ""})
    before = deal_rows(con)
    with pytest.raises(ImportProblem, match="does not have"):
        remap.remap(con, old, {"created_at": "Created On"}, user="test")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(summaries, "rebuild", broken)
    with pytest.raises(RuntimeError):
        remap.remap(con, old, {"created_at": "Create Date"}, user="test")
    assert deal_rows(con) == before and load_state(con, old) == (True, None)


def test_a_missing_file_is_one_sentence(con, db_path):
    old = import_file(con)
    kept.find(warehouse.import_dir(db_path), old).unlink()
    with pytest.raises(ImportProblem, match="is no longer kept beside the database"):
        remap.remap(con, old, {"created_at": "Create Date"})


def test_the_sample_cannot_be_remapped(con):
    load_id = sample.load_sample(con, scale=0.01)
    with pytest.raises(ImportProblem, match="nothing to remap"):
        remap.remap(con, load_id, {})


def test_remap_can_say_which_stage_is_a_win(con):
    old = import_file(con)
    assert measures.kpis(con, Filters())["deals_won"] == 3
    remap.remap(con, old, stages={"Contract Sent": "won"}, user="test")
    assert measures.kpis(con, Filters())["deals_won"] == 4  # + 9871004


def test_the_same_file_after_a_remap_is_still_known(con):
    old = import_file(con, overrides={"created_at": ""})
    new = remap.remap(con, old, {"created_at": "Create Date"}, user="test").load_id
    inspection = loader.inspect(con, HUBSPOT, HUBSPOT.name)
    try:
        assert inspection.already_loaded_as == new
    finally:
        loader.close(con, inspection)


def test_cli_remap_and_dry_run(db_path, capsys):
    db = str(db_path)
    assert cli.main(["import", str(HUBSPOT), "--map", "created_at=", "--db", db]) == 0
    capsys.readouterr()
    argv = ["remap", "1", "--map", "created_at=Create Date", "--db", db]
    assert cli.main([*argv, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "created_at             <- Create Date" in out and "Dry run" in out
    assert "Overview: open pipeline, won amount, average deal size — map an amount column" in out
    assert cli.main(["kpis", "--db", db]) == 0
    assert json.loads(capsys.readouterr().out)["median_sales_cycle_days"] is None
    assert cli.main(argv) == 0
    assert "Remapped load 1 as load 2" in capsys.readouterr().out
    assert cli.main(["kpis", "--db", db]) == 0
    assert json.loads(capsys.readouterr().out)["median_sales_cycle_days"] == pytest.approx(
        HUBSPOT_CYCLE
    )
    assert cli.main(["remap", "9", "--db", db]) == 2
    assert "There is no load 9" in capsys.readouterr().err
    # Undoing the remap keeps load 1's file (it is in effect again) and deletes load 2's.
    folder = kept.folder(warehouse.import_dir(db_path))
    assert cli.main(["undo", "2", "--db", db]) == 0
    assert [p.name.split("-")[0] for p in folder.iterdir()] == ["1"]


def test_the_load_history_says_a_load_was_remapped(db_path, capsys):
    db = str(db_path)
    assert cli.main(["import", str(HUBSPOT), "--map", "created_at=", "--db", db]) == 0
    assert cli.main(["remap", "1", "--map", "created_at=Create Date", "--db", db]) == 0
    capsys.readouterr()
    assert cli.main(["loads", "--db", db]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert lines["1"].endswith("remapped as load 2") and lines["2"].endswith("in effect")
    # Undoing the remap brings load 1 back: in effect again, load 2 a plain undone load.
    assert cli.main(["undo", "2", "--db", db]) == 0
    capsys.readouterr()
    assert cli.main(["loads", "--db", db]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert lines["1"].endswith("in effect") and lines["2"].endswith("undone")
