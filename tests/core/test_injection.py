"""Hostile text in every place a person can type: filters, URLs, mappings, profiles, the CLI."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from dashboard import cli
from dashboard.core import measures, queries
from dashboard.core.filters import URL_KEYS, Filters
from dashboard.ingest import loader, profiles
from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.mapping import apply_overrides
from dashboard.store import warehouse
from tests.conftest import APP, frame, loaded
from tests.core.test_queries import page_params

# Strings fed to every input below (and by tests/ingest/fuzz/fuzz_import.py): SQL and
# parameter syntax, control characters, huge text, right-to-left and combining unicode, paths,
# spreadsheet formulas, markup.
HOSTILE = (
    "'",
    '"',
    "' OR 1=1--",
    '" OR ""="',
    "'; drop table deals; --",
    "$x",
    "$segments",
    "${x}",
    "?",
    "%s",
    "\\",
    "\x00",
    "a\x00b",
    "x" * 10_000,
    "\u202eevil\u202c",  # right-to-left override
    "שלום עולם",
    "👩‍👩‍👧‍👦🚀",
    "e\u0301\u0301\u0301",  # combining accents
    "\ufeff",
    "../../etc/passwd",
    "/etc/passwd",
    "..\\..\\windows\\win.ini",
    '=HYPERLINK("http://x")',
    "<script>alert(1)</script>",
    "**bold** [link](http://x)",
    " ",
    "\r\n",
)
IDS = [f"h{i}" for i in range(len(HOSTILE))]
NO_MATCH = "__no_such_value__"
# What a person may see: sentences. Never SQL text, a Python stack or DuckDB's error classes.
LEAKS = (
    "Traceback",
    'File "',
    "select ",
    "SELECT ",
    "Binder Error",
    "Catalog Error",
    "Parser Error",
    "Internal Error",
    "Conversion Error",
    "Invalid Input Error",
    "Constraint Error",
)


def assert_no_leak(text: str) -> None:
    for leak in LEAKS:
        assert leak not in text, f"{leak!r} shown: {text[:500]}"


def filter_queries() -> list[str]:
    return [
        n for n in queries.available() if {"segments", "regions", "owners"} <= queries.parameters(n)
    ]


def query_params(name: str, filters: Filters) -> dict[str, object]:
    params = {k: v for k, v in filters.params().items() if k in queries.parameters(name)}
    params.update(page_params().get(name, {}))
    return params


# -- filters: every query file, every filter, every hostile string ---------------------------


@pytest.mark.parametrize("name", filter_queries())
def test_hostile_filter_values_act_exactly_like_an_unknown_value(sample_con, name):
    """In every query that follows the sidebar, the hostile strings in each filter (bound as
    one list) give the same rows as a value that matches nothing: compared as data, never
    run."""
    cur = sample_con.cursor()
    for dimension in ("segments", "regions", "owners"):
        nothing = queries.run(cur, name, query_params(name, Filters(**{dimension: (NO_MATCH,)})))
        got = queries.run(cur, name, query_params(name, Filters(**{dimension: HOSTILE})))
        pd.testing.assert_frame_equal(got, nothing, obj=f"{name} {dimension}")
    assert queries.run_one(cur, "deal_summary", Filters().params())["deals_total"] > 0


def test_hostile_values_in_the_data_are_filtered_on_as_data(con):
    """Segments, regions and owners that look like SQL are real values: each selects exactly
    its own account's deals."""
    names = [h for h in HOSTILE if h.strip()]
    accounts = frame(
        "account_id segment region owner",
        [(f"A{i}", h, h, h) for i, h in enumerate(names)],
    )
    deals = frame(
        "deal_id account_id owner status amount",
        [(f"D{i}", f"A{i}", h, "won", i + 1) for i, h in enumerate(names)],
    )
    warehouse.load_frames(con, {"accounts": accounts, "deals": deals}, source="test")
    for i, hostile in enumerate(names):
        for dimension in ("segments", "regions", "owners"):
            row = queries.run_one(con, "deal_summary", Filters(**{dimension: (hostile,)}).params())
            assert (row["deals_won"], row["won_amount"]) == (1, i + 1), (dimension, hostile[:20])
    assert con.execute("select count(*) from deals").fetchall() == [(len(names),)]


# -- the URL ----------------------------------------------------------------------------------


@given(
    st.dictionaries(
        st.sampled_from(URL_KEYS + ("x", "$x", "' OR 1=1--")),
        st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40)), max_size=5),
        max_size=6,
    )
)
@settings(max_examples=300, deadline=None)
def test_the_url_parser_never_raises_and_keeps_only_sane_values(query):
    filters = Filters.from_query_params(query)
    for values in (filters.segments, filters.regions, filters.owners):
        assert all(0 < len(v) <= 200 and "\x00" not in v for v in values)
    assert Filters.from_query_params(filters.to_query_params()) == filters


@pytest.fixture
def golden_env(app_db):
    from tests.golden_data import load_golden

    return loaded(app_db, load_golden)


def _shown(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_hostile_url_parameters_change_nothing_and_leak_nothing(golden_env):
    clean = AppTest.from_file(APP, default_timeout=60)
    clean.query_params["period"] = "all"
    clean.run()
    expected = _shown(clean)
    assert expected["Won amount"] == "$4.8K"
    for hostile in HOSTILE:
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params["period"] = "all"
        for key in ("segment", "region", "owner", "from", "to", "x"):
            at.query_params[key] = hostile
        at.run()
        assert not at.exception, hostile[:20]
        assert not at.error, hostile[:20]
        assert _shown(at) == expected, hostile[:20]  # an unknown value is dropped: all data
        for element in (*at.markdown, *at.caption, *at.info, *at.warning):
            assert_no_leak(str(element.value))


# -- the importer: mapping values, entered:<stage>, profiles, sheets, date formats ------------

ORDERS = b"Customer,Order Date,Total\nAcme,2024-01-05,100\nBeta,2024-01-06,250.5\n"


def counts(con) -> dict[str, int]:
    return {
        t: warehouse.scalar(con, f'select count(*) from "{t}"')  # noqa: S608
        for t in (*warehouse.CANONICAL_TABLES, "loads", "import_profiles")
    }


@pytest.mark.parametrize("hostile", HOSTILE, ids=IDS)
def test_hostile_mapping_values_are_refused_in_one_sentence(con, hostile):
    ins = loader.inspect(con, ORDERS, "orders.csv")
    headers = ins.staged.headers
    before = counts(con)
    if not hostile.strip():  # a blank column means "not mapped": that is all it does
        assert apply_overrides(ins.mapping, {"amount": hostile}, headers).source("amount") is None
    else:
        with pytest.raises(ImportProblem, match="names a column"):
            apply_overrides(ins.mapping, {"amount": hostile}, headers)
    for overrides in ({hostile: "Total"}, {f"entered:{hostile}": "Nope"}):
        with pytest.raises(ImportProblem) as caught:
            apply_overrides(ins.mapping, overrides, headers)
        assert_no_leak(str(caught.value))
        assert len(str(caught.value)) < 12_000
    loader.close(con, ins)
    assert counts(con) == before


@pytest.mark.parametrize("hostile", [h for h in HOSTILE if h.strip() and "\x00" not in h])
def test_hostile_stage_names_and_headers_are_stored_as_data(con, hostile):
    """`entered:<stage>` takes any stage name, and a header may be any text: both are kept
    verbatim, bound as values, never pasted into SQL."""
    header = hostile.replace('"', "'")[:300]
    data = pd.DataFrame({"Deal Name": ["X"], "Deal Stage": ["Won"], header: ["2024-03-01"]})
    raw = data.to_csv(index=False).encode()
    ins = loader.inspect(con, raw, "deals.csv", overrides={f"entered:{hostile}": header})
    assert ins.rows_ok == 1, ins.notes
    loader.commit(con, ins)
    loader.close(con, ins)
    stored = con.execute("select stage from deal_stage_history").fetchall()
    assert stored == [(hostile.strip(),)]


@pytest.mark.parametrize("hostile", HOSTILE, ids=IDS)
def test_hostile_profile_names_are_saved_verbatim_or_refused(con, hostile):
    ins = loader.inspect(con, ORDERS, "orders.csv")
    name = hostile.strip()
    try:
        profiles.save(con, hostile, ins.staged.headers, ins.mapping, None)
    except ImportProblem as problem:
        assert not name or len(name) > profiles.MAX_NAME or "\x00" in name
        assert_no_leak(str(problem))
    else:
        assert json.loads(profiles.named(con, name))["table"] == "orders"
        assert profiles.listing(con)["profile_name"].tolist() == [name]
    finally:
        loader.close(con, ins)
    with pytest.raises(ImportProblem, match="no import profile named"):
        profiles.named(con, name + "'; --")


def test_hostile_sheet_names_are_refused_or_read_verbatim(con):
    book = io.BytesIO()
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"Customer": ["Acme"], "Order Date": ["2024-01-05"], "Total": [1]}).to_excel(
            writer, sheet_name="'; drop table x; --", index=False
        )
    for hostile in HOSTILE:
        with pytest.raises(ImportProblem, match="has no sheet") as caught:
            loader.inspect(con, book.getvalue(), "book.xlsx", sheet=hostile)
        assert_no_leak(str(caught.value))
    ins = loader.inspect(con, book.getvalue(), "book.xlsx", sheet="'; drop table x; --")
    assert ins.rows_ok == 1
    loader.close(con, ins)


@pytest.mark.parametrize("hostile", HOSTILE, ids=IDS)
def test_hostile_date_formats_are_refused_in_one_sentence(con, hostile):
    for families in ({"Order Date": hostile}, {hostile: "iso"}):
        with pytest.raises(ImportProblem) as caught:
            loader.inspect(con, ORDERS, "orders.csv", date_families=families)
        assert_no_leak(str(caught.value))


def test_hostile_cells_land_verbatim(con):
    names = [h for h in HOSTILE if h.strip() and "\x00" not in h]
    data = pd.DataFrame({"Customer": names, "Order Date": "2024-01-05", "Total": 1})
    ins = loader.inspect(con, data.to_csv(index=False).encode(), "orders.csv")
    assert (ins.rows_ok, ins.rows_rejected) == (len(names), 0)
    loader.commit(con, ins)
    loader.close(con, ins)
    stored = {r[0] for r in con.execute("select account_id from orders").fetchall()}
    assert stored == {"name:" + n.strip().lower() for n in names}


# -- the command line ---------------------------------------------------------------------------


@pytest.fixture
def cli_db(db_path, tmp_path):
    from tests.golden_data import load_golden

    loaded(db_path, load_golden)  # deals with dates, so a hostile date meets real rows
    orders = tmp_path / "orders.csv"
    orders.write_bytes(ORDERS)
    assert cli.main(["import", str(orders), "--keep-sample", "--db", str(db_path)]) == 0
    return db_path


def run_cli(capsys, argv: list[str]) -> tuple[int, str, str]:
    try:
        code = cli.main(argv)
    except SystemExit as exit_:  # argparse refusing a value (exit 2 with its usage line)
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def cli_state(db_path: Path) -> dict[str, int]:
    con = warehouse.connect(db_path)
    try:
        return counts(con)
    finally:
        con.close()


@pytest.mark.parametrize("hostile", HOSTILE, ids=IDS)
def test_hostile_cli_arguments_get_a_sentence_and_change_nothing(cli_db, tmp_path, capsys, hostile):
    capsys.readouterr()
    before = cli_state(cli_db)
    db = ["--db", str(cli_db)]
    orders = tmp_path / "orders.csv"
    cases = [
        [
            "query",
            "deal_summary",
            "--param",
            f"segments={json.dumps([hostile])}",
            "--format",
            "json",
            *db,
        ],
        ["query", "deal_summary", "--param", f"start_date={hostile}", *db],
        ["query", "deal_summary", "--param", f"{hostile}=1", *db],
        ["query", hostile, *db],
        ["kpis", "--segment", hostile, "--region", hostile, "--owner", hostile, *db],
        ["kpis", "--preset", hostile, *db],
        ["kpis", "--from", hostile, *db],
        ["undo", hostile, *db],
        ["import", str(orders), "--map", f"amount={hostile}", "--dry-run", *db],
        ["import", str(orders), "--map", f"entered:{hostile}=Nope", "--dry-run", *db],
        ["import", str(orders), "--date-format", f"Order Date={hostile}", "--dry-run", *db],
        ["import", str(orders), "--profile", hostile, "--dry-run", *db],
        ["import", str(orders), "--sheet", hostile, "--dry-run", *db],
        ["import", str(orders), "--table", hostile, "--dry-run", *db],
        ["import", str(orders), "--source", hostile, "--dry-run", *db],
    ]
    for argv in cases:
        code, out, err = run_cli(capsys, argv)
        assert code in (0, 2), (argv[:3], code, err[-300:])
        assert_no_leak(out + err)
        assert len(err) < 25_000
        if code == 0 and argv[0] == "kpis" and "--segment" in argv:
            assert json.loads(out)["deals_total"] == 0  # an unknown segment: nothing
        if code == 0 and argv[0] == "query" and argv[3].startswith("segments="):
            assert json.loads(out)[0]["deals_total"] == 0
    assert cli_state(cli_db) == before


def test_cli_query_with_a_hostile_but_valid_segment_list_counts_nothing(cli_db, capsys):
    capsys.readouterr()
    code, out, _ = run_cli(
        capsys,
        [
            "query",
            "deal_summary",
            "--param",
            'segments=["\' OR 1=1--"]',
            "--format",
            "json",
            "--db",
            str(cli_db),
        ],
    )
    assert code == 0 and json.loads(out)[0]["deals_total"] == 0


def test_cli_undo_of_huge_or_negative_ids_is_one_sentence(cli_db, capsys):
    for load_id in ("99999999999999999999999", "-1", "0"):
        code, out, err = run_cli(capsys, ["undo", load_id, "--db", str(cli_db)])
        assert code == 2 and ("no load" in err or "out of range" in err), err
        assert_no_leak(err)


def test_kpis_match_the_filters_module_for_a_hostile_segment(sample_con):
    cur = sample_con.cursor()
    assert measures.kpis(cur, Filters(segments=("' OR 1=1--",)))["deals_total"] == 0


def test_a_db_path_that_is_not_a_database_is_refused_and_left_alone(tmp_path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n" * 100)
    code, _, err = run_cli(capsys, ["loads", "--db", str(notes)])
    assert code == 2 and "Cannot open the database" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # no imports/ folder
    assert notes.read_text() == "not a database\n" * 100
