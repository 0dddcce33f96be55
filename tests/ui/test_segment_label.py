"""The sidebar's Segment filter says when the segments were derived from company size."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from dashboard.ingest import loader
from tests.conftest import APP, loaded


def load_accounts(data: bytes):
    def load(con) -> None:
        ins = loader.inspect(con, data, "companies.csv", table="accounts")
        try:
            loader.commit(con, ins)
        finally:
            loader.close(con, ins)

    return load


def segment_filter(at: AppTest):
    return at.sidebar.multiselect(key="f_segments")


def test_derived_segments_are_labelled_in_the_sidebar(app_db):
    # Employees 13 -> SMB, 2822 -> Enterprise: both derived, no segment in the file.
    loaded(app_db, load_accounts(b"Company,Employees\nA,13\nB,2822\n"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert segment_filter(at).label == "Segment (derived from employees)"
    assert segment_filter(at).options == ["Enterprise", "SMB"]


def test_exported_segments_keep_the_plain_label(app_db):
    loaded(app_db, load_accounts(b"Company,Segment,Employees\nA,SMB,13\n"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert segment_filter(at).label == "Segment"
