"""export-parquet: the canonical tables as partitioned Parquet, written without DuckDB's COPY."""

from __future__ import annotations

import json

import duckdb
import pyarrow.dataset as ds
import pytest

from dashboard import cli
from dashboard.engines import parquet_export
from dashboard.engines import settings as engine
from dashboard.store import warehouse
from tests.conftest import frame

DEALS = frame(
    "deal_id account_id status amount created_at closed_at",
    [
        ("D1", "A1", "won", 100.5, "2025-01-02 10:00:00", "2025-02-01 09:30:00"),
        ("D2", "A1", "lost", None, "2025-01-05 00:00:00", None),
    ],
)
ACCOUNTS = frame("account_id segment", [("A1", "SMB")])


def test_export_writes_every_table_partitioned_by_load(con, tmp_path):
    first = warehouse.load_frames(con, {"deals": DEALS, "accounts": ACCOUNTS}, source="test")
    more = DEALS.assign(deal_id=["D3", "D4"])
    second = warehouse.load_frames(con, {"deals": more}, source="test")
    result = parquet_export.export(con, tmp_path / "lake")

    assert result.rows["deals"] == 4 and result.rows["accounts"] == 1 and result.rows["orders"] == 0
    assert result.data_version == warehouse.data_version(con)
    parts = sorted(p.name for p in (tmp_path / "lake" / "deals").iterdir())
    assert parts == [f"load_id={first}", f"load_id={second}"]
    table = ds.dataset(tmp_path / "lake" / "deals", format="parquet", partitioning="hive")
    read = table.to_table().to_pandas().sort_values("deal_id")
    assert read["deal_id"].tolist() == ["D1", "D2", "D3", "D4"]
    # Values survive exactly: a decimal amount, a timestamp to the second, a missing date.
    assert str(read["amount"].iloc[0]) == "100.50"
    assert str(read["closed_at"].iloc[0]) == "2025-02-01 09:30:00"
    assert read["closed_at"].isna().tolist() == [False, True, False, True]


def test_manifest_records_types_versions_and_empty_tables(con, tmp_path):
    warehouse.load_frames(con, {"deals": DEALS}, source="test")
    parquet_export.export(con, tmp_path / "lake")
    manifest = json.loads((tmp_path / "lake" / "export.json").read_text())
    assert manifest["data_version"] == warehouse.data_version(con)
    assert set(manifest["tables"]) == set(parquet_export.EXPORTED_TABLES)
    assert set(parquet_export.EXPORTED_TABLES) >= {*warehouse.CANONICAL_TABLES, "loads"}
    assert ["amount", "DECIMAL(18,2)"] in manifest["tables"]["deals"]["columns"]
    assert manifest["tables"]["tickets"]["rows"] == 0  # no file, yet its columns are known
    assert (tmp_path / "lake" / "tickets").is_dir()


def test_a_second_export_replaces_the_first_whole(con, tmp_path):
    warehouse.load_frames(con, {"deals": DEALS}, source="test")
    first = parquet_export.read_manifest(parquet_export.export(con, tmp_path / "lake").out)
    warehouse.load_frames(con, {"deals": DEALS.assign(deal_id=["D8", "D9"])}, source="test")
    second = parquet_export.read_manifest(parquet_export.export(con, tmp_path / "lake").out)
    assert second["export_id"] != first["export_id"]
    assert second["tables"]["deals"]["rows"] == 4
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".lake")]
    assert leftovers == []


def test_a_folder_that_is_no_export_is_not_overwritten(con, tmp_path):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"meow")
    with pytest.raises(parquet_export.ExportError, match="is not a Parquet export"):
        parquet_export.export(con, tmp_path / "photos")
    assert (tmp_path / "photos" / "cat.jpg").read_bytes() == b"meow"


def test_the_hardened_connection_still_refuses_copy(con, tmp_path):
    """The exporter writes with pyarrow; DuckDB's COPY stays refused on the warehouse."""
    with pytest.raises(duckdb.Error):
        con.execute(f"copy deals to '{tmp_path / 'x.parquet'}' (format parquet)")
    assert not (tmp_path / "x.parquet").exists()


def test_cli_export_parquet(db_path, tmp_path, capsys):
    connection = warehouse.connect(db_path)
    warehouse.load_frames(connection, {"deals": DEALS}, source="test")
    connection.close()
    assert cli.main(["export-parquet", "--out", str(tmp_path / "out"), "--db", str(db_path)]) == 0
    printed = capsys.readouterr().out
    assert "2 deals" in printed and str(tmp_path / "out") in printed
    assert (tmp_path / "out" / "export.json").is_file()


def test_import_page_notice_only_on_spark(monkeypatch, db_path):
    monkeypatch.delenv(engine.ENGINE_ENV, raising=False)
    assert engine.import_notice(db_path) is None
    monkeypatch.setenv(engine.ENGINE_ENV, "spark")
    monkeypatch.setenv(engine.PARQUET_ENV, "s3a://bucket/crm")
    notice = engine.import_notice(db_path)
    assert "stay in the embedded DuckDB" in notice and "s3a://bucket/crm" in notice
    assert "export-parquet" in notice
