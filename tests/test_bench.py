"""The benchmark runs end to end at a tiny scale and reports every figure (never timings)."""

import json
import math

from dashboard import bench, cli, summaries

PAGE_FIGURES = {
    "warm_ms",
    "cold_ms",
    "warm_cpu_ms",
    "cold_cpu_ms",
    "bare_scan_ms",
    "pandas_read_ms",
    "pandas_compute_ms",
    "warm_vs_bare_scan",
    "pandas_compute_vs_warm",
    "pandas_compute_vs_cold",
    "pandas_read_and_compute_vs_cold",
}


def _finite_positive(value: object) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value > 0


def test_bench_at_a_tiny_scale_reports_every_figure(capsys, tmp_path):
    argv = ["bench", "--scale", "0.02", "--runs", "1", "--json", "--dir", str(tmp_path)]
    assert cli.main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    summary = result["summary"]
    assert set(summary["pages"]) == set(bench.PAGES) == set(bench.PAGE_TABLES)
    for page, figures in summary["pages"].items():
        assert set(figures) == PAGE_FIGURES, page
        assert all(_finite_positive(v) for v in figures.values()), (page, figures)
    for key in (
        "csv_mb",
        "import_mb_s",
        "raw_read_csv_mb_s",
        "import_vs_raw_read_csv",
        "import_vs_raw_read_csv_cpu",
        "import_summaries_s",
        "import_without_summaries_vs_raw_read_csv",
        "apptest_overview_s",
        "peak_rss_mb",
    ):
        assert _finite_positive(summary[key]), key
    assert set(summary["met"]) == set(bench.TARGETS)
    # Every export file went through the real importer and nothing was rejected.
    imported = result["product"]["import"]
    assert set(imported) == set(bench.IMPORT_ORDER)
    for table, figures in imported.items():
        assert figures["rows_loaded"] == result["export"]["rows"][table], table
        assert figures["rows_rejected"] == 0, table
    # Loading deals rebuilds the summaries reading deals (timed apart from the import's own
    # work); loading tickets rebuilds none.
    assert "summary_deals_closed" in imported["deals"]["summaries_built"]
    assert imported["deals"]["summaries_s"] > 0
    assert imported["tickets"]["summaries_built"] == []
    text = bench.report(result)
    assert "import" in text and "peak RSS" in text and "health" in text


def test_a_load_rebuilds_only_the_summaries_reading_its_tables():
    assert summaries.affected(["surveys"]) == ["satisfaction_responses"]
    # Through another summary: the stage entries read the pipeline steps.
    assert summaries.affected(["pipeline_stages"]) == [
        "funnel_pipeline_steps",
        "funnel_stage_entries",
        "funnel_stage_reached",
    ]
    assert summaries.affected(["tickets"]) == []
    assert set(summaries.affected(["accounts", "deals", "orders"])) >= {
        "deal_competitors",
        "retention_customers",
        "retention_activity",
        "funnel_stage_entries",
    }
