"""queries/load_history.sql: the one query behind the import page's history, `crm-dashboard
loads` and warehouse.active_loads (the sample banner); each caller shows what it showed."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from dashboard import cli
from dashboard.core import access, queries
from dashboard.core.filters import EVERYTHING, NOTHING, Filters, Scope
from dashboard.store import warehouse
from dashboard.ui import import_panels

SAMPLE_PAGE_PARAMS = {"load_history": {"include_undone": True}}
EVERYONE = Filters().scope_params()  # an analyst's or admin's grant: everything

# Four loads, inserted out of order: the sample (1), undone when the first import (2) came;
# an import undone the same day (3); an import of two tables, one row rejected (4).
LOADS = [
    (2, "import", "hubspot-deals.csv", "hubspot", ["deals"], 40, 2, False, "ana",
     "2025-01-02 10:00", None),
    (4, "import", "orders.csv", "pipedrive", ["orders", "accounts"], 7, 1, False, "bo",
     "2025-01-04 11:00", None),
    (1, "sample", "sample scale=1 seed=7", None, ["accounts", "deals"], 120, 0, True, None,
     "2025-01-01 09:00", "2025-01-02 10:00"),
    (3, "import", "accounts.xlsx", None, ["accounts"], 10, 0, False, "ana",
     "2025-01-03 08:30", "2025-01-03 09:00"),
]  # fmt: skip
COLUMNS = [
    "load_id", "source", "file_name", "vendor", "table_names", "rows_loaded", "rows_rejected",
    "is_sample", "user_name", "loaded_at", "undone_at", "superseded_by",
]  # fmt: skip
INSERT = (
    "insert into loads (load_id, source, file_name, vendor, table_names, rows_loaded,"
    " rows_rejected, is_sample, user_name, loaded_at, undone_at)"
    " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@pytest.fixture
def loads(con):
    for row in LOADS:
        con.execute(INSERT, list(row))
    return con


def plain(frame: pd.DataFrame) -> list[tuple]:
    def value(v: object) -> object:
        if isinstance(v, np.ndarray):
            return list(v)
        return None if pd.isna(v) else v

    return [tuple(map(value, row)) for row in frame.itertuples(index=False, name=None)]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_load_history_golden(loads):
    every = queries.run(loads, "load_history", {"include_undone": True, **EVERYONE})
    assert list(every.columns) == COLUMNS
    # Newest first, whatever the insert order: 4, 3, 2, 1; undone loads keep their undone_at.
    # No load here was remapped: superseded_by is null throughout.
    assert plain(every) == [
        (4, "import", "orders.csv", "pipedrive", ["orders", "accounts"], 7, 1, False, "bo",
         at("2025-01-04 11:00"), None, None),
        (3, "import", "accounts.xlsx", None, ["accounts"], 10, 0, False, "ana",
         at("2025-01-03 08:30"), at("2025-01-03 09:00"), None),
        (2, "import", "hubspot-deals.csv", "hubspot", ["deals"], 40, 2, False, "ana",
         at("2025-01-02 10:00"), None, None),
        (1, "sample", "sample scale=1 seed=7", None, ["accounts", "deals"], 120, 0, True, None,
         at("2025-01-01 09:00"), at("2025-01-02 10:00"), None),
    ]  # fmt: skip
    # In effect only: 1 and 3 were undone, so 4 then 2.
    in_effect = queries.run(loads, "load_history", {"include_undone": False, **EVERYONE})
    assert plain(in_effect) == [row for row in plain(every) if row[0] in (4, 2)]


@pytest.mark.parametrize(
    "grant", [Scope(segments=("SMB",)), Scope(regions=("EMEA",)), NOTHING], ids=str
)
def test_load_history_has_no_row_for_a_narrower_grant(loads, grant):
    """File names, counts and who loaded are about the whole data set: a manager gets none."""
    params = {"include_undone": True, **Filters(scope=grant).scope_params()}
    assert queries.run(loads, "load_history", params).empty


def test_active_loads_are_the_loads_in_effect(loads):
    frame = warehouse.active_loads(loads)
    assert list(frame.columns) == [
        "load_id", "source", "file_name", "rows_loaded", "rows_rejected", "is_sample", "loaded_at"
    ]  # fmt: skip
    assert plain(frame) == [
        (4, "import", "orders.csv", 7, 1, False, at("2025-01-04 11:00")),
        (2, "import", "hubspot-deals.csv", 40, 2, False, at("2025-01-02 10:00")),
    ]


def test_the_import_page_lists_every_load_newest_first(loads):
    frame = import_panels.load_history(loads, EVERYTHING)
    assert list(frame.columns) == [
        "load", "file", "source", "vendor", "tables", "rows", "rejected", "user", "loaded",
        "undone", "state",
    ]  # fmt: skip
    assert frame["load"].tolist() == [4, 3, 2, 1]
    assert frame["tables"].tolist() == ["orders, accounts", "accounts", "deals", "accounts, deals"]
    assert frame["undone"].notna().tolist() == [False, True, False, True]
    assert frame["state"].tolist() == ["in effect", "undone", "in effect", "undone"]


def test_the_cli_lists_every_load_oldest_first(loads, db_path, monkeypatch, capsys):
    loads.close()
    monkeypatch.delenv(access.ROLES_ENV, raising=False)
    assert cli.main(["loads", "--db", str(db_path)]) == 0
    header, *lines = capsys.readouterr().out.splitlines()
    assert header.split() == [
        "load_id", "source", "file_name", "vendor", "tables", "rows_loaded", "rows_rejected",
        "user_name", "loaded_at", "undone_at", "state",
    ]  # fmt: skip
    assert [line.split()[0] for line in lines] == ["1", "2", "3", "4"]
    assert "orders,accounts" in lines[3] and "accounts,deals" in lines[0]


def test_a_remapped_load_says_which_load_replaced_it(loads, db_path, monkeypatch, capsys):
    """Load 2 remapped as load 5 (what remap.commit records: undone, superseded_by 5): the
    history says 'remapped as load 5', not a plain 'undone'; both the CLI and the page."""
    loads.execute(
        INSERT, [5, "import", "hubspot-deals.csv", "hubspot", ["deals"], 40, 0, False, "ana",
                 "2025-01-05 12:00", None]
    )  # fmt: skip
    loads.execute(
        "update loads set undone_at = '2025-01-05 12:00', superseded_by = 5 where load_id = 2"
    )
    page = import_panels.load_history(loads, EVERYTHING).set_index("load")["state"]
    assert page.to_dict() == {
        5: "in effect",
        4: "in effect",
        3: "undone",
        2: "remapped as load 5",
        1: "undone",
    }
    loads.close()
    monkeypatch.delenv(access.ROLES_ENV, raising=False)
    assert cli.main(["loads", "--db", str(db_path)]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    by_load = {line.split()[0]: line for line in lines}
    assert by_load["2"].endswith("remapped as load 5")
    assert by_load["3"].endswith("undone") and by_load["5"].endswith("in effect")
