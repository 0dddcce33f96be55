"""Undo names the load, asks before and says after what it removed and restored (issue 19, 8)."""

import pandas as pd

from dashboard.core import queries
from dashboard.core.filters import Filters, Scope
from dashboard.ingest import undo_words
from dashboard.store import warehouse
from tests.conftest import frame

SAMPLE_PAGE_PARAMS = {"undo_preview": {"load_id": 1}}  # the sample is load 1
ACCOUNTS = frame("account_id account_name", [("A1", "Alpha"), ("A2", "Beta"), ("A3", "Gamma")])


def test_picker_label_names_file_time_user_and_rows():
    row = {"load_id": 7, "file_name": "deals.csv", "loaded_at": pd.Timestamp("2026-12-02 10:31"),
           "user_name": "alice", "rows_loaded": 412}  # fmt: skip
    assert undo_words.load_label(row) == "7 · deals.csv · 2 Dec 2026 10:31 · alice · 412 rows"
    bare = {"load_id": 1, "source": "sample", "loaded_at": None, "rows_loaded": 1}
    assert undo_words.load_label(bare) == "1 · sample · time unknown · unknown user · 1 row"


def test_preview_counts_rows_removed_and_restored(con):
    # Load 1: A1, A2, A3. Load 2: A1 and A2 again (replacing load 1's two rows) and A4.
    # Undoing load 2 removes its 3 rows and brings back load 1's A1 and A2: 3 removed, 2 restored.
    warehouse.load_frames(con, {"accounts": ACCOUNTS}, source="test", file_name="a.csv")
    again = frame("account_id account_name", [("A1", "Alpha2"), ("A2", "Beta2"), ("A4", "D")])
    second = warehouse.load_frames(con, {"accounts": again}, source="test", file_name="b.csv")
    before = undo_words.preview(con, second, "b.csv")
    assert (before.removed, before.restored) == (3, 2)
    assert undo_words.confirmation(before) == (
        f"Undo load {second} (b.csv)? Its 3 rows are removed from every page, and 2 rows it "
        "replaced come back. The load stays in the history, marked undone."
    )
    warehouse.undo_load(con, second)
    names = con.execute("select account_name from accounts order by account_id").fetchall()
    assert names == [("Alpha",), ("Beta",), ("Gamma",)]  # what the preview said came true
    assert undo_words.done(before) == f"Undid load {second} (b.csv): 3 rows removed, 2 restored."


def test_the_preview_query_gives_counts_only_to_readers_of_everything(con):
    # Load 1: A1, A2, A3 (3 rows now, nothing replaced): 3 removed, 0 restored.
    load = warehouse.load_frames(con, {"accounts": ACCOUNTS}, source="test", file_name="a.csv")
    everyone = queries.run_one(con, "undo_preview", {"load_id": load, **Filters().scope_params()})
    assert (everyone["count_rows_removed"], everyone["count_rows_restored"]) == (3, 0)
    smb = Filters(scope=Scope(segments=("SMB",))).scope_params()  # a manager granted SMB
    counts = queries.run_one(con, "undo_preview", {"load_id": load, **smb})
    assert pd.isna(counts["count_rows_removed"]) and pd.isna(counts["count_rows_restored"])
