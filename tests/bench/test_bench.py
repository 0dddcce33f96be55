"""The benchmark runs end to end at a tiny scale and reports every figure (never timings)."""

import contextlib
import io
import json
import math
import os

import pytest

from dashboard import cli
from dashboard.bench import run as bench
from dashboard.store import summaries

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


@pytest.fixture(scope="module")
def tiny_bench(tmp_path_factory) -> dict:
    """One run of `crm-dashboard bench --json` at scale 0.02, shared by the tests below."""
    folder = tmp_path_factory.mktemp("bench")
    argv = ["bench", "--scale", "0.02", "--runs", "1", "--json", "--dir", str(folder)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(argv) == 0
    return json.loads(out.getvalue())


def test_bench_at_a_tiny_scale_reports_every_figure(tiny_bench):
    result = tiny_bench
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
    assert all(_finite_positive(f["convert_s"]) for f in imported.values())
    # The export loads as one batch, as `crm-dashboard import a.csv b.csv ...` does: each
    # summary is built once, timed apart from the import's own work.
    batch = result["product"]["import_batch"]
    assert set(batch["summaries"]) == set(summaries.available())
    assert all(_finite_positive(b["wall_s"]) for b in batch["summaries"].values())
    assert _finite_positive(batch["summaries_s"])
    text = bench.report(result)
    assert "import" in text and "peak RSS" in text and "health" in text
    assert "spark" not in result["product"] and "Spark" not in text  # opt-in


def test_every_page_records_its_data_calls_from_the_page_itself(tiny_bench):
    # The calls come from running the page under AppTest; an empty list would time nothing.
    calls = tiny_bench["product"]["calls"]
    assert set(calls) == set(bench.PAGES)
    entry = {  # the entry script's calls, made before every page
        "dashboard.store.sample.sample_notice",
        "dashboard.ui.sidebar.filter_options",
        "dashboard.ui.sidebar.data_dates",
    }
    own = {  # one data call each page is known to make for its default view
        "overview": "dashboard.analytics.overview.data.kpi_summary",
        "funnel": "dashboard.analytics.funnel.data.steps_and_trend",
        "retention": "dashboard.analytics.retention.data.cohorts",
        "satisfaction": "dashboard.analytics.satisfaction.data.headline",
        "competitors": "dashboard.analytics.competitors.data.positioning",
        "health": "dashboard.analytics.health.metrics.health_data",
    }
    for page, names in calls.items():
        assert entry <= set(names), page
        assert own[page] in names, (page, names)
        assert len(names) > len(entry), page
    # The pipeline view, as the funnel page opens: pipelines, steps and trend (one query),
    # drop-off, breakdown.
    for name in ("pipeline_picker", "steps_and_trend", "dropoff", "breakdown", "time_in_stage"):
        assert f"dashboard.analytics.funnel.data.{name}" in calls["funnel"], name


def test_bench_refuses_a_spark_master_without_the_spark_engine(capsys):
    assert cli.main(["bench", "--scale", "0.02", "--spark-master", "local[1]"]) == 2
    assert "--spark-master needs --engine spark" in capsys.readouterr().err
    argv = ["bench", "--scale", "0.02", "--engine", "spark", "--spark-master", "yarn"]
    assert cli.main(argv) == 2
    assert "local or local[N]" in capsys.readouterr().err
    assert cli.main(["bench", "--scale", "0.02", "--pages", "overview,pipeline"]) == 2
    assert "--pages takes page names from overview, funnel" in capsys.readouterr().err


def test_a_load_rebuilds_only_the_summaries_reading_its_tables():
    # Surveys feed the data's dates, the health trend's survey steps, the no-data input
    # counts (measure_inputs), the satisfaction summary and, through it, its rollups.
    default_views = {
        n
        for n in summaries.available()
        if n.startswith(("served_", "view_")) or n in ("default_period", "health_view_windows")
    }
    affected = summaries.affected(["surveys"])
    assert [n for n in affected if n not in default_views] == [
        "data_dates",
        "health_trend_steps",
        "health_window_steps",
        "measure_inputs",
        "satisfaction_responses",
        "satisfaction_rollup_days",
        "satisfaction_rollup_months",
    ]
    # The data's dates are every default view's period: each page's default view follows
    # (but retention's left-out orders, served with no period).
    assert set(affected) >= default_views - {"served_retention_left_out"}
    # Through another summary: the stage entries read the pipeline steps, and the measured
    # steps the reached steps.
    assert summaries.affected(["pipeline_stages"]) == [
        "funnel_pipeline_steps",
        "funnel_stage_entries",
        "funnel_stage_reached",
        "funnel_stage_reached_by_day",
        "funnel_step_measured",
        "funnel_stopped",
        "funnel_stopped_shown",
        "funnel_won_cycles",
        "view_funnel_time_in_stage",
    ]
    assert summaries.affected(["tickets"]) == []
    assert set(summaries.affected(["accounts", "deals", "orders"])) >= {
        "deal_competitors",
        "retention_customers",
        "retention_activity",
        "funnel_stage_entries",
    }


def test_peak_rss_is_the_process_own_not_its_parents():
    # ru_maxrss on Linux keeps the peak of the forking parent: a child of a parent holding
    # 400 MB reported >= 400 MB while it used a few tens (the bench's 5.3-5.6 GB at scale 50
    # was the generator's memory in the parent). The bench reads VmHWM instead.
    import subprocess
    import sys

    import numpy as np

    held = np.ones(50_000_000)  # 400 MB in this (parent) process
    code = "from dashboard.bench.run import _rss_mb; print(_rss_mb())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert float(out.stdout) < held.nbytes / 1024**2 / 2


def test_the_real_server_is_timed_in_chromium(tiny_bench):
    """Every page's first render and a filter change on `crm-dashboard serve`, in Chromium."""
    server = tiny_bench["server"]
    if "skipped" in server:
        if os.environ.get("CI"):
            pytest.fail(f"the server was not measured in CI: {server['skipped']}")
        pytest.skip(server["skipped"])
    assert set(server["pages"]) == set(bench.PAGES)
    for page, figures in server["pages"].items():
        assert _finite_positive(figures["first_render_ms"]), page
        # the sample's segments are in the sidebar: picking one reruns the page
        assert _finite_positive(figures["filter_change_ms"]), page
        assert figures["exceptions"] == 0, page
        # timed until every chart is drawn, not only until the run is over (Plotly's script
        # loads after it: at the end of the run there is a placeholder and no chart)
        assert figures["drawn"] is True, page
        assert figures["charts"] > 0 and figures["charts_drawn"] == figures["charts"], page
        # the same page reached from the sidebar in one browser session, on a fresh server
        assert _finite_positive(figures["from_sidebar_ms"]), page
        # what the server spent and sent: its CPU over the span and the websocket's bytes
        for span in ("first_render", "filter_change"):
            assert figures[f"{span}_server_cpu_ms"] >= 0, page
            assert figures[f"{span}_bytes"] > 0, page
            # and the browser's main thread: drawing a page is never free
            assert _finite_positive(figures[f"{span}_browser_busy_ms"]), page
    assert tiny_bench["summary"]["server_met"] in (True, False)
    assert "real server" in bench.report(tiny_bench)


def test_each_run_imports_into_a_new_warehouse(tmp_path, monkeypatch):
    """A --dir reused from an earlier run holds its warehouse, where the same (deterministic)
    export is already loaded: the import then loaded 0 rows and the bench timed nothing."""
    import duckdb

    from dashboard.bench import run

    old = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    old.execute("create table left_by_the_last_run (x int)")
    old.close()

    class Stop(Exception):
        pass

    def first_step(con, folder):
        tables = con.execute("select table_name from information_schema.tables").fetchall()
        names = {r[0] for r in tables}
        assert "left_by_the_last_run" not in names
        raise Stop

    monkeypatch.setattr(run, "import_export", first_step)
    with pytest.raises(Stop):
        run.product(tmp_path, runs=1)
