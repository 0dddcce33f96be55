"""Fuzz the importer (staging, sniffing, mapping, conversion, load, undo) for a set time.

Not part of CI: run it by hand, niced, e.g.

    nice -n 10 .venv/bin/python tests/ingest/fuzz/fuzz_import.py --seconds 600

Each example is a generated export (CSV in several encodings and delimiters, an .xlsx, a
Parquet file, one of issue 21's hostile shapes, or raw bytes) with headers that name canonical
fields or not, cells that are dates, amounts, scores, hostile text or noise, plus optional
mapping overrides, date formats and a sheet name.
The properties: only ImportProblem (one sentence for the user) may come out of inspect/commit;
counts agree with what lands; undo puts every table back; no temp table or staged file is
left behind. A failure is written to findings/ beside this file (input + traceback) and
fuzzing goes on; each finding becomes a regression test in test_fuzz_regressions.py here.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import hashlib
import io
import json
import random
import re
import sys
import tempfile
import time
import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from dashboard.ingest import kept, loader  # noqa: E402
from dashboard.ingest.errors import ImportProblem  # noqa: E402
from dashboard.ingest.fields import TABLES  # noqa: E402
from dashboard.ingest.formats import FAMILIES  # noqa: E402
from dashboard.store import warehouse  # noqa: E402
from tests.core.test_injection import HOSTILE  # noqa: E402

COIN = random.Random()
# A sentence for a person names the file, line and column, not DuckDB's error classes.
INTERNALS = re.compile(r"\b(Invalid Input|Conversion|Catalog|Binder|Parser|Internal|IO) Error\b")
REASONS: collections.Counter = collections.Counter()
KINDS: collections.Counter = collections.Counter()  # examples per file name (kind of export)
FINDINGS = Path(__file__).resolve().parent / "findings"

HEADER_WORDS = sorted(
    {spec.name for specs in TABLES.values() for spec in specs}
    | {
        "Deal Name",
        "Amount",
        "Close Date",
        "Create Date",
        "Deal Stage",
        "Pipeline",
        "Customer",
        "Order Date",
        "Total",
        "Score",
        "Date",
        "Company",
        "Stage",
        "Won",
        "Quantity",
        "Unit Price",
        "NPS",
        "Owner",
        "Segment",
        "Region",
        'Date entered "Closed Won (Sales Pipeline)"',
        "Date entered 'Qualified'",
    }
)
CELL_SAMPLES = (
    "2024-03-01",
    "03/04/2024",
    "31/12/2024",
    "2024-03-01T10:00:00.000+0000",
    "20240301",
    "31-Jul-18",
    "Jul 31, 2018",
    "1,234.50",
    "1.234,50",
    "$99",
    "(12.00)",
    "€ 5",
    "-5",
    "1e308",
    "NaN",
    "inf",
    "9" * 40,
    "10",
    "0",
    "yes",
    "no",
    "Closed Won",
    "Closed Lost",
    "won",
    "",
    "N/A",
    "null",
    "-",
    "=1+1",
)

cells = st.one_of(
    st.sampled_from(CELL_SAMPLES),
    st.sampled_from(HOSTILE),
    st.text(max_size=30),
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
headers = st.lists(
    st.one_of(st.sampled_from(HEADER_WORDS), st.sampled_from(HOSTILE), st.text(max_size=20)),
    min_size=1,
    max_size=8,
)


@st.composite
def csv_export(draw) -> tuple[bytes, str]:
    """A delimited text file: header + rows, quoted or not, in some encoding."""
    head = draw(headers)
    width = len(head)
    rows = draw(st.lists(st.lists(cells, min_size=0, max_size=width + 1), max_size=12))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    quote_all = draw(st.booleans())

    def line(values: list[str]) -> str:
        if quote_all:
            return delimiter.join('"' + v.replace('"', '""') + '"' for v in values)
        return delimiter.join(values)

    text = newline.join(line(r) for r in [head, *rows]) + draw(st.sampled_from(["", newline]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 9)) == 0:  # now and then, damage it
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(max_size=20)) + data[cut:]
    name = draw(st.sampled_from(["export.csv", "deals.csv", "orders.tsv", "x.txt", "h.csv"]))
    return data, name


@st.composite
def xlsx_export(draw) -> tuple[bytes, str]:
    import pandas as pd

    head = [h for h in draw(headers) if h.strip()] or ["Amount"]
    head = list(dict.fromkeys(h.replace("\x00", "")[:200] for h in head)) or ["Amount"]
    rows = draw(st.lists(st.lists(cells, min_size=len(head), max_size=len(head)), max_size=6))
    frame = pd.DataFrame(rows, columns=head, dtype=object)
    out = io.BytesIO()
    sheet = draw(st.sampled_from(["Sheet1", "Données", "'; drop", "x" * 31]))
    try:
        frame.to_excel(out, index=False, sheet_name=sheet)
    except Exception:  # openpyxl refuses some cell text (control characters): not our bug
        return b"PK\x03\x04broken", "broken.xlsx"
    return out.getvalue(), "book.xlsx"


@st.composite
def parquet_export(draw) -> tuple[bytes, str]:
    """A Parquet file of text, integer, float, date or null columns (hostile names included)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    head = list(dict.fromkeys(h.replace("\x00", "") for h in draw(headers))) or ["Amount"]
    count = draw(st.integers(0, 8))
    columns = {}
    for name in head:
        kind = draw(st.sampled_from(["text", "int", "float", "date", "null"]))
        if kind == "text":
            values = draw(st.lists(st.one_of(st.none(), cells), min_size=count, max_size=count))
            columns[name] = pa.array(values, pa.string())
        elif kind == "int":
            whole = st.integers(-(2**63), 2**63 - 1)
            values = draw(st.lists(whole, min_size=count, max_size=count))
            columns[name] = pa.array(values, pa.int64())
        elif kind == "float":
            values = draw(st.lists(st.floats(), min_size=count, max_size=count))
            columns[name] = pa.array(values, pa.float64())
        elif kind == "date":
            values = draw(st.lists(st.dates(), min_size=count, max_size=count))
            columns[name] = pa.array(values, pa.date32())
        else:
            columns[name] = pa.nulls(count)
    out = io.BytesIO()
    pq.write_table(pa.table(columns), out)
    return out.getvalue(), draw(st.sampled_from(["export.parquet", "orders.parquet"]))


@st.composite
def hostile_shape(draw) -> tuple[bytes, str]:
    """The shapes of issue 21: a long CSV field early, text in a number cell, a declared sheet
    size over the caps, a Parquet near the column cap, a workbook of expanding parts."""
    from tests.ingest import bombs

    shape = draw(st.sampled_from(["long_field", "text_number", "dimension", "wide", "expanding"]))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f"
        if shape == "long_field":
            bombs.long_field_csv(path, kilobytes=draw(st.integers(100, 1100)))
            return path.read_bytes(), "long.csv"
        if shape == "text_number":
            value = draw(cells).replace("<", "").replace("&", "")
            rows = [
                '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>',
                f'<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2"><v>{value}</v></c></row>',
            ]
            strings = ["<si><t>Customer</t></si><si><t>Amount</t></si>"]
            bombs.write_workbook(path, rows, strings, dimension="A1:B2")
        elif shape == "dimension":
            last = draw(st.sampled_from(["B2", "XFD2", "B1048576", "ZZ99999", "A0", "B"]))
            rows = ['<row r="1"><c r="A1" t="s"><v>0</v></c></row>']
            bombs.write_workbook(path, rows, ["<si><t>Amount</t></si>"], dimension=f"A1:{last}")
        elif shape == "wide":
            bombs.wide_parquet(path, columns=draw(st.integers(1990, 2010)))
            return path.read_bytes(), "wide.parquet"
        else:
            count = draw(st.integers(1000, 3_000_000))
            bombs.many_small_strings(path, count=count // 10)
        return path.read_bytes(), "book.xlsx"


TEMPLATES = {
    # header -> cell samples: files shaped like real exports, so that many rows load.
    "orders.csv": {
        "Customer": ("Acme", "Beta GmbH", "Ωmega", *HOSTILE[:6]),
        "Order Date": ("2024-03-01", "2024-03-02 10:00", "03/04/2024", "bad", ""),
        "Total": ("12.50", "$99", "1,234.50", "(5)", "-5", "x", ""),
        "Product": ("A", "=1+1", "@SUM(A1)", ""),
    },
    "deals.csv": {
        "Deal Name": ("Big", "'; drop table deals; --", ""),
        "Deal Stage": ("Closed Won", "Closed Lost", "Qualified", "$x", "won", ""),
        "Amount": ("100", "1.234,50", "€ 5", ""),
        "Close Date": ("2024-03-01", "31/12/2024", ""),
        "Create Date": ("2024-01-01", "2024-02-30", ""),
        'Date entered "Closed Won (Sales Pipeline)"': ("2024-03-01", "", "zz"),
    },
    "surveys.csv": {
        "Score": ("9", "10", "0", "11", "-1", "4,5", "NaN", ""),
        "Date": ("2024-03-01", "20240301", ""),
        "Survey": ("NPS", "CSAT", "CES", "?"),
        "Comment": HOSTILE,
    },
}


@st.composite
def shaped_export(draw) -> tuple[bytes, str]:
    name = draw(st.sampled_from(sorted(TEMPLATES)))
    template = TEMPLATES[name]
    head = draw(st.permutations(list(template)))
    rows = draw(
        st.lists(
            st.tuples(*[st.one_of(st.sampled_from(template[h]), cells) for h in head]),
            min_size=1,
            max_size=15,
        )
    )
    out = io.StringIO()
    import csv

    writer = csv.writer(out, delimiter=draw(st.sampled_from([",", ";", "\t"])))
    writer.writerow(head)
    writer.writerows(rows)
    text = out.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "cp1252"]))
    return text.encode(encoding, errors="replace"), name


exports = st.one_of(
    shaped_export(),
    shaped_export(),
    shaped_export(),
    csv_export(),
    csv_export(),
    csv_export(),
    xlsx_export(),
    parquet_export(),
    hostile_shape(),
    st.tuples(st.binary(max_size=300), st.sampled_from(["r.csv", "r.parquet", "r.xlsx", "r"])),
)


@st.composite
def options(draw) -> dict:
    table = draw(st.one_of(st.none(), st.sampled_from(list(TABLES))))
    overrides = draw(
        st.just({})
        | st.dictionaries(
            st.one_of(
                st.sampled_from([s.name for specs in TABLES.values() for s in specs]),
                st.sampled_from(HOSTILE).map(lambda h: "entered:" + h),
                st.sampled_from(HOSTILE),
            ),
            st.one_of(st.sampled_from(HEADER_WORDS), st.sampled_from(HOSTILE), st.just("")),
            max_size=3,
        )
    )
    families = draw(
        st.just({})
        | st.dictionaries(
            st.sampled_from([*HEADER_WORDS[:5], *HOSTILE[:5]]),
            st.one_of(st.sampled_from(list(FAMILIES)), st.sampled_from(HOSTILE)),
            max_size=2,
        )
    )
    sheet = draw(st.one_of(st.none(), st.none(), st.sampled_from(HOSTILE)))
    return {
        "table": table,
        "overrides": overrides or None,
        "date_families": families or None,
        "sheet": sheet,
        # Hypothesis drew a boolean here as False nearly always, and it reseeds the global
        # random module per example: a coin of our own decides whether to commit (and undo).
        "commit": COIN.random() < 0.7,
    }


def snapshot(con) -> dict:
    out = {}
    for table in warehouse.CANONICAL_TABLES:
        out[table] = warehouse.scalar(
            con,
            f"select count(*) || ':' || coalesce(sum(hash(t)), 0) from \"{table}\" t",  # noqa: S608
        )
    out["version"] = warehouse.data_version(con)
    return out


def temp_objects(con) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = 'main' "
        "and table_catalog = 'temp'"
    ).fetchall()
    return sorted(r[0] for r in rows)


def leftovers(folder: Path) -> list[Path]:
    """Files in the import folder; the (empty) folder of kept load files is not one."""
    return [p for p in folder.rglob("*") if p.is_file()]


STATS = {"refused": 0, "inspected": 0, "converted": 0, "committed": 0}


def check_one(con, folder: Path, data: bytes, name: str, opts: dict) -> None:
    """One import attempt; raises AssertionError or any unexpected exception on a finding."""
    before = snapshot(con)
    try:
        ins = loader.inspect(
            con,
            data,
            name,
            table=opts["table"],
            overrides=opts["overrides"],
            sheet=opts["sheet"],
            date_families=opts["date_families"],
            allow_incomplete=True,
        )
    except ImportProblem as problem:
        STATS["refused"] += 1
        text = str(problem)
        REASONS[re.sub(r"\S*\.(csv|tsv|txt|xlsx|parquet)\S*|'.*'|\d+", "_", text)[:70]] += 1
        assert text and "Traceback" not in text and len(text) < 40_000, text[:300]
        assert not INTERNALS.search(text), f"database internals shown to the user: {text[:300]}"
        assert snapshot(con) == before
        assert not leftovers(folder), "a refused file left its staged copy"
        assert not temp_objects(con), f"a refused file left temp tables {temp_objects(con)}"
        return
    STATS["inspected"] += 1
    try:
        if ins.conversion is not None:
            STATS["converted"] += 1
            ok, bad = ins.conversion.counts(con)
            assert (ok, bad) == (ins.rows_ok, ins.rows_rejected)
            rejected = ins.conversion.rejected(con)
            assert ins.rows_rejected == 0 or not rejected.empty
            ins.conversion.preview(con)
            STATS["loadable"] = STATS.get("loadable", 0) + bool(ins.rows_ok)
            if opts["commit"] and ins.rows_ok and ins.already_loaded_as is None:
                result = loader.commit(con, ins)
                STATS["committed"] += 1
                assert result.rows_loaded == ins.rows_ok
                landed = warehouse.scalar(
                    con,
                    f'select count(*) from "{ins.mapping.table}" where load_id = $id',  # noqa: S608
                    {"id": result.load_id},
                )
                assert landed == ins.rows_ok, (landed, ins.rows_ok)
                warehouse.undo_load(con, result.load_id)
                kept.forget(folder, result.load_id)  # as the CLI's and the page's undo do
                after = snapshot(con)
                assert {k: v for k, v in after.items() if k != "version"} == {
                    k: v for k, v in before.items() if k != "version"
                }
    except ImportProblem as problem:  # e.g. nothing loadable: a sentence for the user
        STATS["refused_at_commit"] = STATS.get("refused_at_commit", 0) + 1
        assert str(problem) and "Traceback" not in str(problem)
    finally:
        loader.close(con, ins)
    assert not temp_objects(con), temp_objects(con)
    assert not leftovers(folder), "the staged copy was left behind"


def record(data: bytes, name: str, opts: dict, exc: BaseException) -> bool:
    """Write a finding once per (exception type, innermost frame); True when it is new."""
    tb = traceback.extract_tb(exc.__traceback__)
    where = f"{tb[-1].filename}:{tb[-1].lineno}" if tb else "?"
    what = re.sub(r"\d+", "N", str(exc))[:60] if isinstance(exc, AssertionError) else ""
    key = hashlib.sha1(f"{type(exc).__name__}|{where}|{what}".encode()).hexdigest()[:10]
    FINDINGS.mkdir(exist_ok=True)
    target = FINDINGS / key
    if target.exists():
        return False
    target.mkdir()
    (target / "input.bin").write_bytes(data)
    (target / "case.json").write_text(
        json.dumps({"name": name, **opts}, ensure_ascii=False, indent=1, default=str)
    )
    (target / "traceback.txt").write_text("".join(traceback.format_exception(exc)))
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--batch", type=int, default=100, help="examples per hypothesis run")
    args = parser.parse_args()
    stats = {"examples": 0, "findings": 0, "new": 0}
    deadline = time.monotonic() + args.seconds
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "fuzz.duckdb"
        con = warehouse.connect(db)
        folder = warehouse.import_dir(db)

        @settings(
            max_examples=args.batch,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(exports, options())
        def run(export, opts):
            if time.monotonic() > deadline:
                return
            data, name = export
            stats["examples"] += 1
            KINDS[name] += 1
            try:
                check_one(con, folder, data, name, opts)
            except Exception as exc:  # a finding: keep it and go on
                stats["findings"] += 1
                if record(data, name, opts, exc):
                    stats["new"] += 1
                    print(f"finding: {type(exc).__name__}: {str(exc)[:200]}", flush=True)
                for leftover in leftovers(folder):
                    leftover.unlink()
                for table in temp_objects(con):
                    for sql in ("drop table if exists", "drop view if exists"):
                        try:
                            con.execute(f'{sql} temp.main."{table}"')
                        except Exception:
                            continue
                    with contextlib.suppress(Exception):
                        con.unregister(table)

        while time.monotonic() < deadline:
            run()
        con.close()
    print(
        f"fuzzed {args.seconds:.0f}s: {stats['examples']} examples, {stats['findings']} "
        f"failing, {stats['new']} distinct findings in {FINDINGS.relative_to(ROOT)}/; {STATS}",
        flush=True,
    )
    print("  tried: " + ", ".join(f"{n} {c}" for n, c in KINDS.most_common()))
    for reason, count in REASONS.most_common(12):
        print(f"  refused {count:>5}: {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
