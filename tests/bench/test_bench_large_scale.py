"""The bench at scales beyond one generated sample: the export in pieces (ids their own, links
kept), and the pandas way skipping a page whose frames would not fit in memory."""

import math

import pandas as pd
from dashboard.sample_data.generate import generate

from dashboard.bench import pandas_way, run


def test_one_piece_is_the_generated_sample_as_it_was(tmp_path):
    out = run.export(0.02, tmp_path)
    assert out["pieces"] == 1
    deals = pd.read_csv(tmp_path / "deals.csv")
    assert deals["deal_id"].tolist() == generate(scale=0.02)["deals"]["deal_id"].tolist()


def test_a_scale_above_the_piece_size_is_written_in_pieces_with_their_own_ids(
    tmp_path, monkeypatch
):
    # 0.05 in pieces of at most 0.02: ceil(0.05 / 0.02) = 3 pieces of 0.05 / 3 each.
    monkeypatch.setattr(run, "CHUNK_SCALE", 0.02)
    out = run.export(0.05, tmp_path)
    assert out["pieces"] == 3
    one = generate(scale=0.05 / 3, seed=7)
    frames = {t: pd.read_csv(tmp_path / f"{t}.csv") for t in run.IMPORT_ORDER}
    for table in run.IMPORT_ORDER:
        assert len(frames[table]) == out["rows"][table], table  # one header, every row
    assert out["rows"]["pipeline_stages"] == len(one["pipeline_stages"])  # once, not per piece
    # The first piece is seed 7's sample as it comes; the others carry "-1", "-2".
    accounts = frames["accounts"]["account_id"]
    assert accounts.is_unique and len(accounts) == 3 * len(one["accounts"])
    assert accounts.head(len(one["accounts"])).tolist() == one["accounts"]["account_id"].tolist()
    assert accounts.str.endswith("-2").sum() == len(generate(scale=0.05 / 3, seed=9)["accounts"])
    for table in ("deals", "activities", "orders"):
        assert frames[table].iloc[:, 0].is_unique, table
    # Links stay within a piece: every deal's account and every activity's deal exists.
    assert frames["deals"]["account_id"].isin(accounts).all()
    deal_ids = frames["activities"]["deal_id"].dropna()
    assert deal_ids.isin(frames["deals"]["deal_id"]).all() and len(deal_ids) > 0
    assert frames["deal_stage_history"]["deal_id"].isin(frames["deals"]["deal_id"]).all()


def test_the_pandas_way_skips_a_page_whose_frames_would_not_fit_and_says_why(tmp_path, monkeypatch):
    run.export(0.02, tmp_path)
    # Satisfaction reads surveys.csv (and accounts.csv): at 2.6 bytes of memory per byte of CSV
    # it needs more than 80% of the 1,000 bytes said to be available.
    monkeypatch.setattr(pandas_way, "available_memory", lambda: 1_000)
    out = pandas_way.run_all(tmp_path, "2025-01-01", "2025-12-31", ["satisfaction"])
    assert set(out) == {"satisfaction"}
    assert out["satisfaction"]["skipped"].startswith("pandas would need ~0.0 GB")
    monkeypatch.setattr(pandas_way, "available_memory", lambda: 64 * 1024**3)
    out = pandas_way.run_all(tmp_path, "2025-01-01", "2025-12-31", ["satisfaction"])
    assert out["satisfaction"]["compute_ms"] > 0


def test_a_skipped_pandas_page_is_not_met_and_the_report_says_why():
    page = {"warm_ms": 50.0, "cold_ms": 60.0, "warm_cpu_ms": 50.0, "cold_cpu_ms": 60.0,
            "bare_scan_ms": 40.0}  # fmt: skip
    result = {
        "scale": 500,
        "machine": {"cpus": 2, "ram_gb": 24.0},
        "load_average_at_start": 0.1,
        "load_average_at_end": 0.1,
        "export": {
            "file_mb": {"deals": 100.0},
            "rows": {"deals": 1, "activities": 1, "orders": 1},
            "generate_s": 1.0,
            "export_s": 1.0,
        },  # fmt: skip
        "product": {
            "pages": {"health": page, "retention": page},
            "import_s": 10.0,
            "import_cpu_s": 10.0,
            "import_batch": {"summaries_s": 1.0, "summaries": {}},
            "import": {},
            "apptest_overview_s": 1.0,
            "peak_rss_mb": 100.0,
        },  # fmt: skip
        "raw_read_csv_s": 5.0,
        "raw_read_csv_cpu_s": 5.0,
        "pandas": {
            "health": {"skipped": "pandas would need ~25.0 GB"},
            "retention": {"read_ms": 900.0, "compute_ms": 600.0},
        },  # fmt: skip
    }
    summary = run.summarise(result)
    assert math.isnan(summary["pages"]["health"]["pandas_compute_vs_warm"])
    assert summary["pages"]["retention"]["pandas_compute_vs_warm"] == 12.0  # 600 / 50
    assert summary["met"]["pandas_x"] is False  # health is not measured, so not met
    result["summary"] = summary
    assert "pandas way not run for health: pandas would need ~25.0 GB" in run.report(result)


def test_the_bench_imports_files_over_the_import_limit_and_leaves_the_limit_as_it_was(
    tmp_path, monkeypatch
):
    # Scale 500's activities.csv is 9.3 GB against the 2 GB default; here the limit is set to
    # 0.01 MB, under every file of scale 0.02, which a person's import would refuse.
    from dashboard.ingest import files
    from dashboard.store import warehouse

    run.export(0.02, tmp_path)
    monkeypatch.setenv(files.MAX_IMPORT_ENV, "0.01")
    con = warehouse.connect(tmp_path / "warehouse.duckdb")
    out = run.import_export(con, tmp_path)
    con.close()
    assert out["import"]["deals"]["rows_loaded"] > 0
    assert files.max_import_bytes() == int(0.01 * 1024 * 1024)  # as it was, after the import


def test_a_kept_export_of_the_same_scale_is_reused_and_another_scale_written_afresh(
    tmp_path, monkeypatch
):
    written = []

    def fake_export(scale, folder):
        written.append(scale)
        for table in run.IMPORT_ORDER:
            (folder / f"{table}.csv").write_text("id\n1\n", encoding="utf-8")
        return {"pieces": 1, "rows": {}, "file_mb": {}}

    monkeypatch.setattr(run, "export", fake_export)
    assert "reused" not in run.export_once(0.5, tmp_path)
    assert run.export_once(0.5, tmp_path)["reused"] is True  # the same scale: kept
    assert "reused" not in run.export_once(1, tmp_path)  # another scale: written again
    (tmp_path / "deals.csv").unlink()  # a file missing: written again
    assert "reused" not in run.export_once(1, tmp_path)
    assert written == [0.5, 1, 1]


def test_an_import_out_of_memory_says_which_setting_to_raise_and_loads_nothing(
    tmp_path, monkeypatch
):
    # Scale 500 at 1GB and 3GB ran out while building the summaries; here 32MB does the
    # same to scale 0.02. One sentence naming the setting, no DuckDB error class, nothing loaded.
    import pytest

    from dashboard.ingest.errors import ImportProblem
    from dashboard.store import warehouse

    run.export(0.02, tmp_path)
    warehouse.connect(tmp_path / "warehouse.duckdb").close()  # created with the default limit
    monkeypatch.setenv(warehouse.MEMORY_ENV_VAR, "32MB")
    con = warehouse.connect(tmp_path / "warehouse.duckdb")
    with pytest.raises(ImportProblem) as caught:
        run.import_export(con, tmp_path)
    text = str(caught.value)
    assert "none of them was loaded" in text and "CRM_DASHBOARD_MEMORY_LIMIT" in text
    assert "Out of Memory Error" not in text
    assert con.execute("select count(*) from deals").fetchone()[0] == 0
    con.close()
