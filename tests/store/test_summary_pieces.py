"""Summaries built in pieces of a key's values (when their inputs outgrow DuckDB's memory:
scale 500's import ran out of it in the summaries) hold the same rows as a whole build, in
the order of their SELECT's final ORDER BY."""

import re

import duckdb
import pytest

from dashboard.store import summaries, warehouse
from tests.store.summary_checks import differences

PIECED = [name for name in summaries.available() if summaries.pieces(name)]


@pytest.fixture
def pieces_used(monkeypatch) -> dict[str, int]:
    """Every summary that may be built in pieces is built in 3; records {name: pieces}."""
    used: dict[str, int] = {}
    real = summaries._rebuild_in_pieces

    def spy(con, name, plan, count):
        used[name] = count
        return real(con, name, plan, count)

    monkeypatch.setattr(summaries, "_piece_count", lambda con, name: 3)
    monkeypatch.setattr(summaries, "_rebuild_in_pieces", spy)
    return used


def test_summaries_built_in_pieces_equal_their_whole_build_on_the_sample(sample_copy, pieces_used):
    con = sample_copy
    for name in ("funnel_stage_reached", "health_trend_steps", "health_touch_days"):
        assert name in PIECED
    summaries.rebuild(con, PIECED)
    assert pieces_used == dict.fromkeys(PIECED, 3)
    assert differences(con, PIECED) == {}
    for name in PIECED:
        assert _in_order(con, name), name


def _in_order(con, name: str) -> bool:
    """The table's rows, as stored, follow its SELECT's final ORDER BY (rows tied on it may
    come in any order, so their keys are compared, not the rows)."""
    order = summaries._ORDER.search(summaries.select_text(name))
    if order is None:
        return True
    terms = order.group(0)[len("order by ") :].split(",")
    keys = ", ".join(re.sub(r"\s+(asc|desc|nulls (first|last))\b", "", t).strip() for t in terms)
    # Column names and the order come from this repository's summary files.
    table = f'"summary_{name}"'
    stored = con.execute(f"select {keys} from {table} order by rowid").fetchall()  # noqa: S608
    wanted = con.execute(f"select {keys} from {table} {order.group(0)}")  # noqa: S608
    return stored == wanted.fetchall()


def test_headers_say_how_a_summary_is_cut():
    steps = summaries.pieces("health_trend_steps")
    assert steps.key == "account_key" and steps.add_up == ("accounts",)
    assert "summary_health_account_keys" in steps.tables  # activities reach it through keys
    # An incremental summary's promise serves: its rows of a deal come from that deal's rows.
    assert summaries.pieces("funnel_stage_reached") == summaries.Pieces(
        "deal_id", frozenset({"deals", "deal_stage_history", "summary_funnel_stage_entries"})
    )
    assert summaries.pieces("funnel_stage_entries") is None  # deal_key numbers every deal


@pytest.fixture
def own_summaries(tmp_path, monkeypatch):
    """Summary files of the test's own, over hand-made tables in an in-memory database."""
    monkeypatch.setattr(summaries, "SUMMARIES_DIR", tmp_path)
    con = duckdb.connect()
    con.execute("create table summary_sources (name varchar primary key, sql_hash varchar)")
    con.execute("create table t (k integer, v integer)")
    con.execute("create table u (k double, w integer)")
    # 40 keys, key 0 twice in t; two rows with no key.
    con.execute("insert into t select i, i * 10 from range(40) r(i)")
    con.execute("insert into t values (0, 5), (null, 1), (null, 2)")
    con.execute("insert into u select i, i from range(40) r(i)")
    yield tmp_path, con
    con.close()


def test_pieces_keep_rows_without_a_key_and_keys_of_different_types(own_summaries, monkeypatch):
    folder, con = own_summaries
    (folder / "joined.sql").write_text(
        "-- Pieces by k: t, u\nselect t.k, t.v, u.w from t left join u on u.k = t.k order by k, v\n"
    )
    (folder / "counted.sql").write_text(
        "-- Pieces by k: t\n-- Pieces add up: n, total\n"
        "select k is null as missing, count(*) as n, sum(v) as total from t group by all\n"
        "order by missing\n"
    )
    summaries.rebuild(con, ["joined", "counted"])
    whole = {n: _rows(con, n) for n in ("joined", "counted")}
    monkeypatch.setattr(summaries, "_piece_count", lambda con, name: 4)
    summaries.rebuild(con, ["joined", "counted"])
    # t.k integer, u.k double: hash(7) differs between them, so each table cut by its own
    # type's hash would lose joins; a key without a value falls in one piece.
    joined = _rows(con, "joined")
    assert joined == whole["joined"]
    assert len(joined) == 43 and sum(1 for k, _, w in joined if w is None) == 2
    # 41 keyed rows (0 + 10 + ... + 390 + 5 = 7805) and 2 without a key (1 + 2), each summed
    # over the 4 pieces into one row, types kept (count is a bigint, sum a hugeint).
    assert _rows(con, "counted") == [(False, 41, 7805), (True, 2, 3)]
    assert whole["counted"] == [(False, 41, 7805), (True, 2, 3)]
    kinds = con.execute("select column_type from (describe summary_counted)").fetchall()
    assert kinds == [("BOOLEAN",), ("BIGINT",), ("HUGEINT",)]


def _rows(con, name: str) -> list[tuple]:
    return con.execute(f'select * from "summary_{name}"').fetchall()  # noqa: S608 (test names)


def test_piece_count_follows_the_input_rows_and_the_memory_limit(own_summaries, monkeypatch):
    folder, con = own_summaries
    (folder / "joined.sql").write_text("-- Pieces by k: t, u\nselect * from t join u using (k)\n")
    con.execute("set memory_limit = '100MB'")  # shown as 95.3 MiB: 99,929,292 bytes
    assert abs(summaries._memory_limit_bytes(con) - 100_000_000) < 100_000
    monkeypatch.setattr(summaries, "BYTES_PER_INPUT_ROW", 1_000_000)
    # 43 + 40 = 83 input rows x 1 MB = 83 MB: one piece. 2.5x the rows: 208 MB, 3 pieces.
    assert summaries._piece_count(con, "joined") == 1
    con.execute("insert into t select i, i from range(40, 160) r(i)")
    assert summaries._piece_count(con, "joined") == 3
    con.execute("set memory_limit = '1GB'")
    assert summaries._piece_count(con, "joined") == 1
    # A summary that needs more per row says so: 203 rows x 10 MB = 2 GB, 3 pieces of 1 GB.
    (folder / "heavy.sql").write_text(
        "-- Pieces by k: t, u\n-- Pieces need 10000000 bytes per input row\n"
        "select * from t join u using (k)\n"
    )
    assert summaries._piece_count(con, "heavy") == 3


def test_pieces_lines_leave_the_fingerprint_alone(tmp_path, monkeypatch):
    """A warehouse built before a summary said how to cut it is not rebuilt for the line."""
    monkeypatch.setattr(summaries, "SUMMARIES_DIR", tmp_path)
    (tmp_path / "plain.sql").write_text("-- rows\nselect k from t\n")
    (tmp_path / "cut.sql").write_text(
        "-- rows\n-- Pieces by k: t\n-- Pieces add up: n\n-- Pieces, why: per k\nselect k from t\n"
    )
    assert summaries.fingerprint("cut") == summaries.fingerprint("plain")


def test_a_load_touching_many_keys_rebuilds_them_in_pieces(sample_copy, monkeypatch):
    """A load of every order touches every account: its keyed rebuild is a whole build, so it
    is cut like one (here 3 pieces for all of them), and equals a full build."""
    con = sample_copy
    calls: list[int] = []
    real = summaries._rebuild_keys

    def spy(con, name, inc):
        keys = con.execute(f'select count(*) from temp.main."__summary_keys_{inc.key}"')  # noqa: S608
        calls.append(keys.fetchall()[0][0])
        return real(con, name, inc)

    monkeypatch.setattr(summaries, "_piece_count", lambda con, name: 3)
    monkeypatch.setattr(summaries, "_rebuild_keys", spy)
    con.execute("create temp table incoming_orders as select * exclude (load_id) from orders")
    con.execute("update incoming_orders set amount = amount + 1")
    warehouse.load_relations(con, {"orders": "incoming_orders"}, warehouse.LoadInfo("test"))
    accounts = con.execute("select count(distinct account_id) from orders").fetchall()[0][0]
    # customers and retention_activity, each in 3 pieces of the touched accounts.
    assert len(calls) == 6 and sum(calls) == 2 * accounts and max(calls) < accounts
    assert differences(con) == {}
