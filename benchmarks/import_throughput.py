"""Import throughput on a generated CSV of about 1 GB, beside DuckDB's own read_csv.

Usage: .venv/bin/python -m benchmarks.import_throughput [--mb 1024] [--dir /tmp/bench]
Both sides read the same file in the same run:
  raw      DuckDB `create table t as select * from read_csv(file)` (types sniffed), new database
  import   the product's path: stage (encoding check, copy), read as text, map, convert and
           validate every row, load as one transaction, rebuild summaries
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import duckdb

from dashboard import warehouse
from dashboard.ingest import loader

ROW_BYTES = 44  # what one generated line takes, on average


def generate(path: Path, megabytes: int) -> int:
    rows = megabytes * 1024 * 1024 // ROW_BYTES
    con = duckdb.connect()
    con.execute(
        f"""copy (  -- the path and row count are this script's own, not user input
            select 'CUST-' || lpad(cast(i % 250000 as varchar), 7, '0') as "Customer ID",
                   strftime(date '2023-01-01' + cast(i % 1000 as integer), '%m/%d/%Y')
                       as "Order Date",
                   'PRODUCT ' || cast(i % 977 as varchar) as "Description",
                   1 + i % 24 as "Quantity",
                   round(1 + (i * 7919 % 10000) / 100.0, 2) as "Unit Price"
            from range({rows}) t(i)
        ) to '{path}' (header, delimiter ',')"""  # noqa: S608
    )
    return rows


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=1024)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="import-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / "orders.csv"
    gen_s, rows = timed(lambda: generate(csv, args.mb))
    size_mb = csv.stat().st_size / 1024**2
    print(f"file: {size_mb:,.0f} MB, {rows:,} rows (generated in {gen_s:.1f} s)")

    raw = duckdb.connect(str(folder / "raw.duckdb"))
    raw_s, _ = timed(
        lambda: raw.execute(
            "create table t as select * from read_csv($p)", {"p": str(csv)}
        ).fetchall()
    )
    raw.close()
    print(f"DuckDB read_csv into a table: {raw_s:.1f} s = {size_mb / raw_s:,.0f} MB/s")

    con = warehouse.connect(folder / "warehouse.duckdb")
    inspect_s, ins = timed(lambda: loader.inspect(con, csv, csv.name))
    commit_s, result = timed(lambda: loader.commit(con, ins))
    loader.close(con, ins)
    total = inspect_s + commit_s
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"import: inspect {inspect_s:.1f} s + load {commit_s:.1f} s = {total:.1f} s = "
        f"{size_mb / total:,.0f} MB/s ({result.rows_loaded:,} rows, "
        f"{result.rows_rejected:,} rejected)"
    )
    print(f"import / raw read_csv throughput: {raw_s / total:.0%}; peak RSS {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
