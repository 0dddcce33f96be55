"""The same file never loads twice, even when two people press Load together (issue 21, point
11): the checksum is checked inside the load's transaction, not only at inspection."""

from __future__ import annotations

import threading

from dashboard.ingest import batch, loader

DEALS = b"deal_id,stage,amount\nR1,Proposal,100\nR2,Won,200\nR3,Lost,50\n"


def _inspect(cur):
    return loader.inspect(cur, DEALS, "race.csv", table="deals")


def _counts(con) -> tuple[int, int]:
    deals = con.execute("select count(*) from deals").fetchall()[0][0]
    loads = con.execute("select count(*) from loads where undone_at is null").fetchall()[0][0]
    return deals, loads


def test_a_file_inspected_twice_loads_once(con):
    # Both inspections run before either load: each sees the file as new.
    first, second = _inspect(con), _inspect(con)
    assert first.already_loaded_as is None and second.already_loaded_as is None
    done = loader.commit(con, first)
    again = loader.commit(con, second)
    assert done.load_id is not None
    assert again.load_id is None
    assert (
        again.message == f"race.csv was already loaded as load {done.load_id}; nothing was added."
    )
    assert _counts(con) == (3, 1)  # R1 R2 R3 once, one load


def test_a_batch_skips_a_file_loaded_since_its_inspection(con):
    first, second = _inspect(con), _inspect(con)
    other = loader.inspect(con, b"deal_id,stage\nQ1,Won\n", "other.csv", table="deals")
    done = loader.commit(con, first)
    results = batch.commit_all(con, [second, other])
    assert results[0].load_id is None and str(done.load_id) in results[0].message
    assert results[1].load_id is not None  # the other file still loads
    assert _counts(con) == (4, 2)  # R1 R2 R3 + Q1; race.csv and other.csv


def test_two_sessions_pressing_load_together_load_the_file_once(con):
    cursors = [con.cursor(), con.cursor()]  # one per session, as the app does
    inspections = [_inspect(cur) for cur in cursors]
    start = threading.Barrier(2)
    results, errors = [None, None], []

    def press_load(k: int) -> None:
        start.wait()
        try:
            results[k] = loader.commit(cursors[k], inspections[k])
        except Exception as exc:  # a raw conflict error would be a failure too
            errors.append(exc)

    threads = [threading.Thread(target=press_load, args=(k,)) for k in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    loaded = [r for r in results if r.load_id is not None]
    assert len(loaded) == 1
    assert _counts(con) == (3, 1)
