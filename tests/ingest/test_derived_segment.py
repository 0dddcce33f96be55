"""Segment from company size when an accounts export has none (product.md), marked as derived."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.ingest import derive, loader
from dashboard.store import warehouse

MAVEN = Path(__file__).parent / "real_exports" / "maven-crm"


def load(con, data: bytes | Path, name: str, **options) -> loader.LoadResult:
    ins = loader.inspect(con, data, name, table="accounts", **options)
    try:
        return loader.commit(con, ins)
    finally:
        loader.close(con, ins)


def segments(con) -> dict[str, tuple[str | None, str | None]]:
    rows = con.execute(
        "select account_name, segment, segment_source from accounts order by 1"
    ).fetchall()
    return {name: (segment, source) for name, segment, source in rows}


def test_maven_accounts_get_segments_from_employees(con):
    # Golden, default bands (under 100 SMB, 100-999 Mid-market, 1,000+ Enterprise):
    # Acme Corporation 2822 -> Enterprise, Betasoloin 495 -> Mid-market, Cancity 13 -> SMB,
    # Codehow 2641 -> Enterprise, Dontechi 1238 -> Enterprise.
    ins = loader.inspect(
        con,
        MAVEN / "accounts.csv",
        "accounts.csv",
        table="accounts",
        overrides={"account_name": "account"},
    )
    try:
        assert any(
            "Segment derived from employees for 5 of 5 accounts (under 100 SMB, 100–999 "
            "Mid-market, 1,000+ Enterprise" in note
            for note in ins.notes
        )
        loader.commit(con, ins)
    finally:
        loader.close(con, ins)
    derived = "derived from employees"
    assert segments(con) == {
        "Acme Corporation": ("Enterprise", derived),
        "Betasoloin": ("Mid-market", derived),
        "Cancity": ("SMB", derived),
        "Codehow": ("Enterprise", derived),
        "Dontechi": ("Enterprise", derived),
    }
    assert derive.segment_origin(con) == derived


def test_band_edges_and_exported_segments_kept(con):
    # 99 -> SMB, 100 -> Mid-market, 999 -> Mid-market, 1000 -> Enterprise; Exported's own
    # segment stays (source null); no employees -> no segment (null, never a guess).
    data = (
        b"Company,Segment,Employees\nA,,99\nB,,100\nC,,999\nD,,1000\n"
        b"Exported,Strategic,5\nUnknown,,\n"
    )
    load(con, data, "companies.csv")
    derived = "derived from employees"
    assert segments(con) == {
        "A": ("SMB", derived),
        "B": ("Mid-market", derived),
        "C": ("Mid-market", derived),
        "D": ("Enterprise", derived),
        "Exported": ("Strategic", None),
        "Unknown": (None, None),
    }
    assert derive.segment_origin(con) == "derived from employees for some accounts"


def test_no_size_columns_no_derivation(con):
    load(con, b"Company,Industry\nA,retail\n", "companies.csv")
    assert segments(con) == {"A": (None, None)}
    assert derive.segment_origin(con) is None


def test_bands_from_a_toml_file(con, tmp_path, monkeypatch):
    # Employees bands replaced (under 50 Small, else Large); revenue bands turned on: an
    # account with revenue only (R) is placed by revenue, one with both (B) by employees.
    config = tmp_path / "bands.toml"
    config.write_text(
        'employees = [{ below = 50, segment = "Small" }, { segment = "Large" }]\n'
        'annual_revenue = [{ below = 1000000, segment = "Low" }, { segment = "High" }]\n'
    )
    monkeypatch.setenv(derive.BANDS_ENV, str(config))
    data = b"Company,Employees,Annual Revenue\nS,49,\nL,50,\nR,,2000000\nB,10,5000000\n"
    load(con, data, "companies.csv")
    assert segments(con) == {
        "B": ("Small", "derived from employees"),
        "L": ("Large", "derived from employees"),
        "R": ("High", "derived from annual revenue"),
        "S": ("Small", "derived from employees"),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("employees = [", "is not valid TOML"),
        ('staff = [{ segment = "X" }]', "only employees, annual_revenue can hold bands"),
        ("employees = [{ below = 5 }]", "band 1: give it a segment name"),
        ('employees = [{ segment = "A" }, { below = 5, segment = "B" }]', "only the last band"),
        (
            'employees = [{ below = 50, segment = "A" }, { below = 10, segment = "B" }]',
            "must increase",
        ),
        ('employees = [{ below = "ten", segment = "A" }]', "below must be a number"),
    ],
)
def test_bad_bands_file_is_one_sentence_and_loads_nothing(
    con, tmp_path, monkeypatch, text, expected
):
    config = tmp_path / "bands.toml"
    config.write_text(text)
    monkeypatch.setenv(derive.BANDS_ENV, str(config))
    with pytest.raises(derive.BandsError) as caught:
        load(con, b"Company,Employees\nA,5\n", "companies.csv")
    assert expected in str(caught.value)
    assert str(config) in str(caught.value)
    assert con.execute("select count(*) from accounts").fetchall()[0][0] == 0
    assert not list(warehouse.import_dir(loader._db_path(con)).iterdir())


def test_undo_restores_the_replaced_accounts_with_their_segment_source(con):
    # Load 1 derives A's segment; load 2 re-exports A with its own segment. Undoing load 2
    # brings back load 1's row, derived flag included (the archive keeps column order).
    load(con, b"Company,Employees\nA,5\n", "first.csv")
    second = load(con, b"Company,Segment,Employees\nA,Strategic,5\n", "second.csv")
    assert segments(con) == {"A": ("Strategic", None)}
    warehouse.undo_load(con, second.load_id)
    assert segments(con) == {"A": ("SMB", "derived from employees")}


def test_describe_bands():
    assert (
        derive.describe("employees", derive.DEFAULT_BANDS["employees"])
        == "under 100 SMB, 100–999 Mid-market, 1,000+ Enterprise"
    )
    bands = (derive.Band("Low", 1_000_000), derive.Band("High", None))
    assert derive.describe("annual_revenue", bands) == "under 1,000,000 Low, 1,000,000+ High"
