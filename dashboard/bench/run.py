"""`crm-dashboard bench`: the product against DuckDB's bare speed and the pandas way, one run.

Steps, all on the same files in one run:
  1. generate the sample at `scale` and write each canonical table as a CSV export;
  2. in a child process of its own (so the generator and pandas do not pollute its peak RSS):
     import every file through the real import path (inspect + commit, as `crm-dashboard
     import` does), then per page run the page's whole set of data functions for the default
     filters (last 12 months) cold (new connection, first run) and warm (median of `runs`),
     render the overview once through AppTest, then DuckDB's bare scan of each page's tables;
  3. DuckDB's own `read_csv` of the same files into a new database (import's yardstick);
  4. the pandas way (bench_pandas): read_csv of each page's files, then the page's metrics
     with groupby/merge; read and compute are timed apart and the ratios use compute only.
Timing stays out of the test suite: tests only check that every figure is there.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from dashboard.core import resources

# Which export files (canonical tables) each page reads; the pandas way reads the same ones.
PAGE_TABLES = {
    "overview": ("accounts", "deals", "orders", "surveys"),
    "funnel": ("accounts", "deals", "deal_stage_history", "orders"),
    "retention": ("accounts", "deals", "orders"),
    "satisfaction": ("accounts", "surveys", "orders", "tickets"),
    "competitors": ("accounts", "deals"),
    "health": ("accounts", "deals", "activities", "orders", "surveys", "tickets"),
}
IMPORT_ORDER = (
    "accounts",
    "deals",
    "deal_stage_history",
    "activities",
    "orders",
    "surveys",
    "tickets",
)
TARGETS = {
    "warm_ms": 300,
    "cold_ms": 1500,
    "import_ratio": 0.70,
    "rss_mb": 2048,
    "pandas_x": 10,  # pandas' compute on frames already read / our warm queries
    "pandas_x_from_files": 10,  # pandas reading the export files and computing / our cold
}


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def timed_cpu(fn: Callable[[], object]) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of this process, all threads, result). On a shared machine
    the CPU time says what the work cost when the wall time is stretched by other loads."""
    start, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - start, time.process_time() - cpu, out


# -- the product's pages: every data function a page calls for its default view -----------------
def _overview(cur, filters) -> None:
    from dashboard.analytics.overview import data as overview
    from dashboard.core import measures
    from dashboard.core.filters import Filters
    from dashboard.store import sample
    from dashboard.ui import sidebar

    sample.sample_notice(cur, Filters())  # the entry script's banner and sidebar, every page
    sidebar.filter_options(cur, Filters())
    sidebar.data_dates(cur, Filters())
    overview.kpi_summary(cur, filters)
    measures.closed_deals_by_month(cur, filters)


def _funnel(cur, filters) -> None:
    from dashboard.analytics.funnel import data as funnel

    options = funnel.pipelines(cur, filters)
    pipeline = options["pipeline"].iloc[0]
    steps = funnel.funnel_steps(cur, filters, pipeline, None)
    funnel.deals_without_steps(cur, filters)
    funnel.time_in_stage(cur, filters, pipeline)
    funnel.sales_cycle(cur, filters, pipeline)
    funnel.dropoff(cur, filters, pipeline, funnel.default_dropoff_step(steps), None)
    funnel.breakdown(cur, filters, pipeline, "segment", None)
    funnel.trend(cur, filters, pipeline, None)


def _retention(cur, filters) -> None:
    from dashboard.analytics.retention import data as retention

    retention.period_retention(cur, filters)
    retention.cohorts(cur, filters, "month", "first_order", False)


def _satisfaction(cur, filters) -> None:
    from dashboard.analytics.satisfaction import data as s

    s.headline(cur, filters, s.MIN_RESPONSES)
    s.trend(cur, filters, "month", s.MIN_RESPONSES, 1)
    s.breakdown(cur, filters, "segment", s.MIN_RESPONSES)
    s.behaviour(cur, filters, s.DEFAULT_WINDOW, s.MIN_RESPONSES)
    s.verbatims(cur, filters, "", "")


def _competitors(cur, filters) -> None:
    from dashboard.analytics.competitors import data as competitors
    from dashboard.core.filters import Filters

    competitors.positioning(cur, filters)
    competitors.by_segment(cur, filters)
    competitors.names(cur, Filters())
    competitors.by_quarter(cur, filters, False)
    competitors.loss_reasons(cur, filters)


def _health(cur, filters) -> None:
    from dashboard.analytics.health import metrics, report

    data = metrics.health_data(cur, filters)
    metrics.monthly(cur, filters)
    if not data.accounts.empty:
        report.timeline(cur, filters, data.accounts["account_id"].iloc[0])


PAGES: dict[str, Callable] = {
    "overview": _overview,
    "funnel": _funnel,
    "retention": _retention,
    "satisfaction": _satisfaction,
    "competitors": _competitors,
    "health": _health,
}


# -- step 1: the export files ----------------------------------------------------------------
def _with_probability(frames: dict) -> object:
    """Deals as a CRM exports them: with the stage's win probability (HubSpot, Salesforce and
    Pipedrive all export it); the importer orders open stages by it."""
    stages = frames["pipeline_stages"][["pipeline", "stage", "probability"]]
    return frames["deals"].merge(stages, on=["pipeline", "stage"], how="left")


def export(scale: float, folder: Path) -> dict[str, object]:
    """Generate the sample and write one CSV per canonical table; returns counts and timings."""
    from dashboard.sample_data.generate import generate

    gen_s, frames = timed(lambda: generate(scale=scale))
    rows = {t: len(f) for t, f in frames.items()}
    mem = duckdb.connect()
    start = time.perf_counter()
    for table in IMPORT_ORDER:
        frame = _with_probability(frames) if table == "deals" else frames[table]
        mem.register("frame", frame)
        path = folder / f"{table}.csv"
        # The path is this run's own temp folder, never user input.
        mem.execute(f"copy (select * from frame) to '{path}' (header, delimiter ',')")  # noqa: S608
        mem.unregister("frame")
    export_s = time.perf_counter() - start
    mem.close()
    del frames
    gc.collect()
    return {
        "generate_s": gen_s,
        "export_s": export_s,
        "rows": rows,
        "file_mb": {t: (folder / f"{t}.csv").stat().st_size / 1024**2 for t in IMPORT_ORDER},
    }


# -- step 2: the product, in a child process ------------------------------------------------
def _rss_mb() -> float:
    """Peak RSS of this process's own memory. On Linux, ru_maxrss also keeps the peak of the
    process it was forked from (the bench's parent, holding the generated sample: 5.6 GB at
    scale 50), so a child started by subprocess reported the parent's peak as its own; VmHWM
    is the high-water mark of this program's address space alone."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _default_filters(cur):
    from dashboard.core import coverage
    from dashboard.core.filters import Filters
    from dashboard.core.periods import preset_range

    _, as_of = coverage.data_span(cur)
    return Filters(*preset_range("Last 12 months", as_of))


def product(folder: Path, runs: int) -> dict[str, object]:
    """Import, page timings, AppTest render and bare scans; run by the child process."""
    from dashboard.ingest import loader
    from dashboard.store import warehouse

    db = folder / "warehouse.duckdb"
    out: dict[str, object] = {"import": {}, "pages": {}}
    con = warehouse.connect(db)
    built = _time_summary_builds()
    total_s = total_cpu = 0.0
    for table in IMPORT_ORDER:
        path = folder / f"{table}.csv"
        inspect_s, inspect_cpu, ins = timed_cpu(
            lambda p=path, t=table: loader.inspect(con, p, p.name, table=t)
        )
        try:
            commit_s, commit_cpu, result = timed_cpu(lambda i=ins: loader.commit(con, i))
        finally:
            loader.close(con, ins)
        out["import"][table] = {
            "inspect_s": inspect_s,
            "commit_s": commit_s,
            "cpu_s": inspect_cpu + commit_cpu,
            "summaries_s": built.pop("wall", 0.0),
            "summaries_cpu_s": built.pop("cpu", 0.0),
            "summaries_built": built.pop("built", []),
            "rows_loaded": result.rows_loaded,
            "rows_rejected": result.rows_rejected,
        }
        total_s += inspect_s + commit_s
        total_cpu += inspect_cpu + commit_cpu
    out["import_s"] = total_s
    out["import_cpu_s"] = total_cpu
    _save_partial(folder, out)
    out["rss_after_import_mb"] = _rss_mb()
    filters = _default_filters(con)
    out["filters"] = {"start_date": str(filters.start_date), "end_date": str(filters.end_date)}
    con.close()
    for page, run in PAGES.items():
        con = warehouse.connect(db)  # a fresh connection: nothing of the last page is cached
        cur = con.cursor()
        cold, cold_cpu, _ = timed_cpu(lambda r=run, c=cur: r(c, filters))
        warm = [timed_cpu(lambda r=run, c=cur: r(c, filters))[:2] for _ in range(runs)]
        out["pages"][page] = {
            "cold_ms": cold * 1000,
            "warm_ms": statistics.median(w for w, _ in warm) * 1000,
            "cold_cpu_ms": cold_cpu * 1000,
            "warm_cpu_ms": statistics.median(c for _, c in warm) * 1000,
        }
        _save_partial(folder, out)
        con.close()
    out["apptest_overview_s"] = _apptest_overview(db)
    out["peak_rss_mb"] = _rss_mb()
    # The yardstick, after the product's RSS is taken: DuckDB scanning every column of the
    # page's tables (min of a few runs).
    con = warehouse.connect(db)
    for page, tables in PAGE_TABLES.items():
        scans = []
        for _ in range(max(3, runs // 2)):
            scans.append(sum(timed(lambda t=t: _scan(con, t))[0] for t in tables))
        out["pages"][page]["bare_scan_ms"] = min(scans) * 1000
    con.close()
    return out


def _time_summary_builds() -> dict[str, object]:
    """Wall and CPU seconds the loads spend rebuilding summaries (part of each commit), added
    up until the caller pops them: the import's own cost and the summaries' are reported
    apart."""
    from dashboard.store import summaries

    spent: dict[str, object] = {}
    rebuild = summaries.rebuild

    def timed_rebuild(con, names=None):
        wall, cpu, out = timed_cpu(lambda: rebuild(con, names))
        spent["wall"] = spent.get("wall", 0.0) + wall
        spent["cpu"] = spent.get("cpu", 0.0) + cpu
        spent["built"] = [*spent.get("built", []), *out]
        return out

    summaries.rebuild = timed_rebuild
    return spent


def _save_partial(folder: Path, figures: dict) -> None:
    """What is measured so far: a long run at scale 50 that is stopped still leaves figures."""
    (folder / "product.partial.json").write_text(json.dumps(figures), encoding="utf-8")


def _scan(con: duckdb.DuckDBPyConnection, table: str) -> None:
    # Table names come from PAGE_TABLES above, never from a user.
    con.execute(f'select max(columns(*)) from "{table}"').fetchall()  # noqa: S608


def _apptest_overview(db: Path) -> float:
    """Seconds for the overview's first render through the real entry script."""
    from streamlit.testing.v1 import AppTest

    from dashboard.store import warehouse

    os.environ[warehouse.DB_ENV_VAR] = str(db)
    app = str(resources.folder("dashboard.ui") / "app.py")
    at = AppTest.from_file(app, default_timeout=600)
    seconds, _ = timed(at.run)
    if at.exception:
        raise RuntimeError(f"the overview failed to render: {at.exception[0].value}")
    warehouse.SharedConnection.close_all()
    return seconds


# -- step 3: DuckDB's own read_csv -----------------------------------------------------------
def raw_read_csv(folder: Path) -> tuple[float, float]:
    """(wall, CPU) seconds for DuckDB, as it comes, to read every export file into a table of a
    new database."""
    path = folder / "raw.duckdb"
    con = duckdb.connect(str(path))
    seconds = cpu = 0.0
    for table in IMPORT_ORDER:
        wall, used, _ = timed_cpu(
            lambda t=table: con.execute(
                f'create table "{t}" as select * from read_csv($p)',  # noqa: S608
                {"p": str(folder / f"{t}.csv")},
            ).fetchall()
        )
        seconds, cpu = seconds + wall, cpu + used
    con.close()
    path.unlink()
    return seconds, cpu


# -- the whole run ---------------------------------------------------------------------------
def run(scale: float, runs: int = 5, folder: Path | None = None) -> dict[str, object]:
    """Every figure of one benchmark run, as a JSON-friendly dict."""
    from dashboard.bench.run import pandas_way as bench_pandas

    own = folder is None
    work = Path(tempfile.mkdtemp(prefix="crm-bench-")) if own else folder
    work.mkdir(parents=True, exist_ok=True)
    try:
        result: dict[str, object] = {
            "scale": scale,
            "runs": runs,
            "machine": {"cpus": os.cpu_count(), "ram_gb": _ram_gb()},
            "load_average_at_start": os.getloadavg()[0],
        }
        result["export"] = export(scale, work)
        result["product"] = _child(work, runs)
        result["raw_read_csv_s"], result["raw_read_csv_cpu_s"] = raw_read_csv(work)
        filters = result["product"]["filters"]
        result["pandas"] = bench_pandas.run_all(work, filters["start_date"], filters["end_date"])
        result["load_average_at_end"] = os.getloadavg()[0]
        result["summary"] = summarise(result)
        return result
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)


def _ram_gb() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3


def _child(folder: Path, runs: int) -> dict[str, object]:
    out = folder / "product.json"
    subprocess.run(
        [sys.executable, "-m", "dashboard.bench.run", "--child", str(folder), "--runs", str(runs)],
        check=True,
    )
    return json.loads(out.read_text(encoding="utf-8"))


def summarise(result: dict) -> dict[str, object]:
    """The headline figures, each ratio and whether each target is met."""
    product, pandas_side = result["product"], result["pandas"]
    mb = sum(result["export"]["file_mb"].values())
    import_mb_s = mb / product["import_s"]
    summaries_s = sum(f.get("summaries_s", 0.0) for f in product["import"].values())
    raw_mb_s = mb / result["raw_read_csv_s"]
    pages = {}
    for page, figures in product["pages"].items():
        p = pandas_side[page]
        pages[page] = {
            "warm_ms": figures["warm_ms"],
            "cold_ms": figures["cold_ms"],
            "warm_cpu_ms": figures["warm_cpu_ms"],
            "cold_cpu_ms": figures["cold_cpu_ms"],
            "bare_scan_ms": figures["bare_scan_ms"],
            "pandas_read_ms": p["read_ms"],
            "pandas_compute_ms": p["compute_ms"],
            "warm_vs_bare_scan": figures["warm_ms"] / max(figures["bare_scan_ms"], 1e-9),
            "pandas_compute_vs_warm": p["compute_ms"] / max(figures["warm_ms"], 1e-9),
            "pandas_compute_vs_cold": p["compute_ms"] / max(figures["cold_ms"], 1e-9),
            "pandas_read_and_compute_vs_cold": (p["read_ms"] + p["compute_ms"])
            / max(figures["cold_ms"], 1e-9),
        }
    met = {
        "warm_ms": all(p["warm_ms"] < TARGETS["warm_ms"] for p in pages.values()),
        "cold_ms": all(p["cold_ms"] < TARGETS["cold_ms"] for p in pages.values()),
        "import_ratio": import_mb_s / raw_mb_s >= TARGETS["import_ratio"],
        "rss_mb": product["peak_rss_mb"] < TARGETS["rss_mb"],
        "pandas_x": all(p["pandas_compute_vs_warm"] >= TARGETS["pandas_x"] for p in pages.values()),
        # the analyst answering from the exported files (read + compute) vs our first click
        "pandas_x_from_files": all(
            p["pandas_read_and_compute_vs_cold"] >= TARGETS["pandas_x_from_files"]
            for p in pages.values()
        ),
    }
    return {
        "csv_mb": mb,
        "import_mb_s": import_mb_s,
        "raw_read_csv_mb_s": raw_mb_s,
        "import_vs_raw_read_csv": import_mb_s / raw_mb_s,
        "import_vs_raw_read_csv_cpu": result["raw_read_csv_cpu_s"] / product["import_cpu_s"],
        "import_summaries_s": summaries_s,
        "import_without_summaries_vs_raw_read_csv": mb
        / max(product["import_s"] - summaries_s, 1e-9)
        / raw_mb_s,
        "apptest_overview_s": product["apptest_overview_s"],
        "peak_rss_mb": product["peak_rss_mb"],
        "pages": pages,
        "targets": TARGETS,
        "met": met,
    }


def report(result: dict) -> str:
    """The run as text: one line per figure, each with its ratio."""
    s, e = result["summary"], result["export"]
    rows = e["rows"]
    lines = [
        f"scale {result['scale']:g}: {rows['deals']:,} deals, {rows['activities']:,} "
        f"activities, {rows['orders']:,} orders; {s['csv_mb']:,.0f} MB of CSV "
        f"(generated in {e['generate_s']:.1f} s, exported in {e['export_s']:.1f} s); "
        f"{result['machine']['cpus']} cores, {result['machine']['ram_gb']:.0f} GB, load "
        f"average {result['load_average_at_start']:.1f} at the start, "
        f"{result['load_average_at_end']:.1f} at the end",
        f"import {s['import_mb_s']:,.1f} MB/s vs DuckDB read_csv {s['raw_read_csv_mb_s']:,.1f} "
        f"MB/s = {s['import_vs_raw_read_csv']:.0%} (target >= "
        f"{TARGETS['import_ratio']:.0%}); by CPU time {s['import_vs_raw_read_csv_cpu']:.0%}; "
        f"of the import, {s['import_summaries_s']:,.1f} s rebuilt the per-load summaries "
        f"(without them: {s['import_without_summaries_vs_raw_read_csv']:.0%} of read_csv)",
        f"peak RSS of the product {s['peak_rss_mb']:,.0f} MB (target < {TARGETS['rss_mb']} MB)",
        f"overview first render (AppTest) {s['apptest_overview_s']:.2f} s",
        "page          warm ms (cpu)  cold ms (cpu)  bare scan ms  warm/scan  pandas read ms  "
        "pandas compute ms  compute/warm  compute/cold  (read+compute)/cold",
    ]
    for page, p in s["pages"].items():
        lines.append(
            f"{page:<13}{p['warm_ms']:>8.0f}{p['warm_cpu_ms']:>6.0f} "
            f"{p['cold_ms']:>8.0f}{p['cold_cpu_ms']:>6.0f} {p['bare_scan_ms']:>13.0f}"
            f"{p['warm_vs_bare_scan']:>10.1f}x{p['pandas_read_ms']:>15.0f}"
            f"{p['pandas_compute_ms']:>19.0f}{p['pandas_compute_vs_warm']:>13.1f}x"
            f"{p['pandas_compute_vs_cold']:>13.1f}x"
            f"{p['pandas_read_and_compute_vs_cold']:>20.1f}x"
        )
    met = s["met"]
    lines.append(
        "targets: " + ", ".join(f"{name} {'met' if ok else 'MISSED'}" for name, ok in met.items())
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """The child process: python -m dashboard.bench.run --child FOLDER --runs K."""
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--child", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    figures = product(args.child, args.runs)
    (args.child / "product.json").write_text(json.dumps(figures), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
