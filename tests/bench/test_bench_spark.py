"""`crm-dashboard bench --engine spark`: the Spark side of the bench reports its figures.

In a file of its own so that pytest-xdist can run it beside the other bench tests: it starts a
JVM and builds every summary on Spark. It measures one page (`--pages overview`), on both
engines: the plumbing is the same for every page, test_bench.py runs every page on DuckDB, and
every page query's result on Spark is checked against DuckDB's by the Spark engine's parity
tests (tests/engines).
"""

import json

import pytest

from dashboard import cli
from dashboard.bench import run as bench


def _finite_positive(value: object) -> bool:
    return isinstance(value, int | float) and value == value and 0 < value < float("inf")


@pytest.mark.spark
@pytest.mark.timeout(900)  # a JVM, the summaries built on Spark, one page twice
def test_bench_on_spark_reports_the_page_beside_duckdb(capsys, tmp_path):
    argv = ["bench", "--scale", "0.02", "--runs", "1", "--json", "--dir", str(tmp_path)]
    # --no-server: the real-server step has its own test below; here it only cost CI time.
    argv += ["--no-server", "--engine", "spark", "--spark-master", "local[1]"]
    argv += ["--pages", "overview"]
    assert cli.main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    spark = result["summary"]["spark"]
    assert spark["master"] == "local[1]"
    for key in ("export_parquet_s", "session_start_s", "register_s"):
        assert _finite_positive(spark[key]), key
    assert set(spark["pages"]) == {"overview"}
    for page, figures in spark["pages"].items():
        assert set(figures) == {
            "duckdb_warm_ms",
            "duckdb_cold_ms",
            "spark_warm_ms",
            "spark_first_ms",
            "spark_warm_vs_duckdb_warm",
        }, page
        assert all(_finite_positive(v) for v in figures.values()), (page, figures)
    assert set(result["summary"]["pages"]) == {"overview"}  # the DuckDB side, the same page
    assert set(result["pandas"]) == {"overview"}
    text = bench.report(result)
    assert "Spark local[1]" in text and "session start" in text
    assert "pages measured: overview only" in text
