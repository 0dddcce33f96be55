"""Golden tests of changes_since over hand-made loads: add, update, reopen, remove, undo,
several loads together, a manager's grant. Every expected value is worked out by hand below.

The loads (all deals closed in 2025; `status` follows the stage):
  load 1  accounts  A1 SMB/EMEA (owner Ann), A2 Enterprise/NA (owner Bob)
  load 2  deals     D1 A1 Ann Proposal     open 100
                    D2 A1 Ann Qualification open 200  competitor "Acme"
                    D3 A2 Bob Negotiation  open 300
                    D4 A2 Bob Won          won  400  closed 2025-02-01
  load 3  deals     D1 A1 Ann Won          won  150  closed 2025-03-01   (updated, won, +50)
                    D2 as in load 2                                      (re-exported, unchanged)
                    D3 A2 Bob Lost         lost 300  closed 2025-03-05  competitor "Corvia"
                    D4 A2 Bob Proposal     open 400                      (reopened)
                    D5 A2 Bob Prospecting  open 500  competitor "Beta; acme" (added)
"""

import json

import pytest

from dashboard.analytics.changes import data as changes
from dashboard.analytics.changes.data import ChangesError, changes_since
from dashboard.core import access, queries
from dashboard.core.filters import Filters
from dashboard.store import warehouse
from tests.conftest import frame

DEAL_COLUMNS = "deal_id account_id owner stage status amount created_at closed_at competitor"
LOAD_2 = [
    ("D1", "A1", "Ann", "Proposal", "open", 100, "2025-01-05", None, None),
    ("D2", "A1", "Ann", "Qualification", "open", 200, "2025-01-06", None, "Acme"),
    ("D3", "A2", "Bob", "Negotiation", "open", 300, "2025-01-07", None, None),
    ("D4", "A2", "Bob", "Won", "won", 400, "2025-01-08", "2025-02-01", None),
]
LOAD_3 = [
    ("D1", "A1", "Ann", "Won", "won", 150, "2025-01-05", "2025-03-01", None),
    LOAD_2[1],
    ("D3", "A2", "Bob", "Lost", "lost", 300, "2025-01-07", "2025-03-05", "Corvia"),
    ("D4", "A2", "Bob", "Proposal", "open", 400, "2025-01-08", None, None),
    ("D5", "A2", "Bob", "Prospecting", "open", 500, "2025-02-10", None, "Beta; acme"),
]
MANAGER = "maria@example.com"
# For tests/core/test_queries.py: the sample is load 1; from load 1 every deal is added, and
# from load 2 (nothing later) every current deal is untouched.
SAMPLE_PAGE_PARAMS = {
    "changes_deals": {"first_load": 1, "undo_event": None},
    "changes_deal_summary": {"first_load": 1, "undo_event": None, "movers": 10},
    "changes_competitors_before": {"first_load": 2, "undo_event": None},
}


@pytest.fixture
def loads(con, tmp_path, monkeypatch):
    """Loads 1-3 with a roles file naming an SMB manager, so her KPIs are kept at each load."""
    roles = tmp_path / "roles.toml"
    roles.write_text(
        f'[people]\n"ana@example.com" = "analyst"\n'
        f'[people."{MANAGER}"]\nrole = "manager"\nsegments = ["SMB"]\n'
    )
    monkeypatch.setenv(access.ROLES_ENV, str(roles))
    accounts = frame(
        "account_id account_name segment region owner",
        [("A1", "Alpha", "SMB", "EMEA", "Ann"), ("A2", "Beta Co", "Enterprise", "NA", "Bob")],
    )
    warehouse.load_frames(con, {"accounts": accounts}, source="test", file_name="accounts.csv")
    for rows, name in ((LOAD_2, "deals.csv"), (LOAD_3, "deals-march.csv")):
        warehouse.load_frames(
            con, {"deals": frame(DEAL_COLUMNS, rows)}, source="test", file_name=name
        )
    return con


def test_a_load_adds_updates_moves_and_reopens(loads):
    out = changes_since(loads)  # the latest load: 3, against the version after load 2
    assert (out["since_load"], out["loads"], out["event"]) == (3, [3], "load")
    assert out["files"][0]["file_name"] == "deals-march.csv"
    # D5 new; D1, D3, D4 changed; D2 came again exactly as it was, so it is not an update.
    assert (out["deals_added"], out["deals_updated"], out["deals_removed"]) == (1, 3, 0)
    # One deal each; ties in from -> to order.
    assert out["stage_moves"] == [
        {"from": "Negotiation", "to": "Lost", "deals": 1},
        {"from": "Proposal", "to": "Won", "deals": 1},
        {"from": "Won", "to": "Proposal", "deals": 1},
    ]
    # won: D1 (open -> won); lost: D3 (open -> lost); reopened: D4 (won -> open). D5 is new,
    # not a status change.
    assert out["status_changes"] == {"won": 1, "lost": 1, "reopened": 1}
    # "acme" was named on D2 before (same name, other case): only Beta and Corvia are new.
    assert out["new_competitors"] == ["Beta", "Corvia"]
    # D5 added +500, D1 100 -> 150 +50; D3 and D4 kept their amount.
    movers = [(m["deal_id"], m["change"], m["amount_change"]) for m in out["biggest_movers"]]
    assert movers == [("D5", "added", 500.0), ("D1", "updated", 50.0)]


def test_kpis_just_before_and_after_a_load(loads):
    out = changes_since(loads)
    before, after = out["kpis_before"]["all_time"], out["kpis_after"]["all_time"]
    # Before load 3: D1-D4, won D4 (400), nothing lost, open D1 D2 D3 = 600.
    assert (before["deals_total"], before["deals_won"], before["deals_lost"]) == (4, 1, 0)
    assert (before["won_amount"], before["pipeline_open_amount"]) == (400.0, 600.0)
    assert before["win_rate"] == 1.0  # 1 / (1 + 0)
    # After: D1-D5, won D1 (150), lost D3, open D2 D4 D5 = 200 + 400 + 500 = 1,100.
    assert (after["deals_total"], after["deals_won"], after["deals_lost"]) == (5, 1, 1)
    assert (after["won_amount"], after["pipeline_open_amount"]) == (150.0, 1100.0)
    assert after["win_rate"] == 0.5  # 1 / (1 + 1)
    # Default period = 12 months up to the last date in the data (D3 closed 5 Mar 2025).
    assert (out["kpis_after"]["period_start"], out["kpis_after"]["period_end"]) == (
        "2024-03-06",
        "2025-03-05",
    )
    # Before load 3 the last date was D4's close on 1 Feb 2025.
    assert out["kpis_before"]["period_end"] == "2025-02-01"
    assert out["kpis_after"]["period"]["deals_won"] == 1  # D1, closed 1 Mar 2025


def test_several_loads_compare_with_the_version_before_the_first(loads):
    out = changes_since(loads, 2)
    # Before load 2 there were no deals: every deal now is added, none updated.
    assert out["loads"] == [2, 3]
    assert (out["deals_added"], out["deals_updated"], out["deals_removed"]) == (5, 0, 0)
    assert out["stage_moves"] == []
    assert out["status_changes"] == {"won": 0, "lost": 0, "reopened": 0}
    assert out["new_competitors"] == ["Acme", "Beta", "Corvia"]
    assert out["kpis_before"]["all_time"]["deals_total"] == 0
    assert out["kpis_before"]["all_time"]["win_rate"] is None  # no closed deal: no data, not 0
    # Movers: D5 500, D4 400, D3 300, D2 200, D1 150.
    assert [m["deal_id"] for m in out["biggest_movers"]] == ["D5", "D4", "D3", "D2", "D1"]


def test_an_undo_shows_the_load_reversed(loads):
    warehouse.undo_load(loads, 3)
    out = changes_since(loads)  # the latest event is the undo of load 3
    assert (out["event"], out["loads"], out["since_load"]) == ("undo", [3], 3)
    # D5 goes (removed); D1, D3, D4 go back (updated); D2's row from load 2 comes back the same.
    assert (out["deals_added"], out["deals_updated"], out["deals_removed"]) == (0, 3, 1)
    assert out["stage_moves"] == [
        {"from": "Lost", "to": "Negotiation", "deals": 1},  # D3 open again
        {"from": "Proposal", "to": "Won", "deals": 1},  # D4 won again
        {"from": "Won", "to": "Proposal", "deals": 1},  # D1 open again
    ]
    # won: D4 (open -> won); reopened: D1 (won -> open) and D3 (lost -> open).
    assert out["status_changes"] == {"won": 1, "lost": 0, "reopened": 2}
    assert out["new_competitors"] == []
    # D5 removed -500, D1 150 -> 100 -50.
    movers = [(m["deal_id"], m["change"], m["amount_change"]) for m in out["biggest_movers"]]
    assert movers == [("D5", "removed", -500.0), ("D1", "updated", -50.0)]
    # KPIs: before the undo = after load 3; after = after load 2 again.
    assert out["kpis_before"]["all_time"]["deals_total"] == 5
    assert out["kpis_after"]["all_time"]["deals_total"] == 4
    assert out["kpis_after"]["all_time"]["won_amount"] == 400.0
    # Asking for the undone load by number gives the same undo.
    assert changes_since(loads, 3)["deals_removed"] == 1


def test_an_older_undo_takes_its_kpis_after_from_the_next_event(loads):
    warehouse.undo_load(loads, 3)
    d6 = [("D6", "A1", "Ann", "Proposal", "open", 50, "2025-03-01", None, None)]
    warehouse.load_frames(
        loads, {"deals": frame(DEAL_COLUMNS, d6)}, source="test", file_name="d6.csv"
    )
    undo = changes_since(loads, 3)
    assert undo["event"] == "undo"
    # After the undo and before load 4: D1-D4 again, not D6.
    assert undo["kpis_after"]["all_time"]["deals_total"] == 4
    latest = changes_since(loads)
    assert (latest["loads"], latest["deals_added"]) == ([4], 1)  # D6


def test_a_manager_sees_only_their_grant(loads):
    grant = access.load(access.configured_path()).access_for(MANAGER).scope
    out = changes_since(loads, scope=grant)
    # SMB = A1 = D1 and D2; D2 did not change, so only D1: updated, Proposal -> Won, won, +50.
    assert (out["deals_added"], out["deals_updated"], out["deals_removed"]) == (0, 1, 0)
    assert out["stage_moves"] == [{"from": "Proposal", "to": "Won", "deals": 1}]
    assert out["status_changes"] == {"won": 1, "lost": 0, "reopened": 0}
    assert out["new_competitors"] == []  # Beta and Corvia are on Enterprise deals
    assert [m["deal_id"] for m in out["biggest_movers"]] == ["D1"]
    # Her KPIs, kept for her grant at the load: D1 D2 before (nothing won), after D1 won 150.
    before, after = out["kpis_before"]["all_time"], out["kpis_after"]["all_time"]
    assert (before["deals_total"], before["deals_won"]) == (2, 0)
    assert (after["deals_total"], after["deals_won"], after["won_amount"]) == (2, 1, 150.0)
    # No file names or people for a manager (the load history's rule).
    assert out["files"][0]["file_name"] is None and out["files"][0]["user_name"] is None
    # Everything in the answer is within her grant: no Enterprise deal id anywhere.
    assert '"D3"' not in json.dumps(out) and '"D5"' not in json.dumps(out)


def test_sidebar_filters_narrow_the_deals_but_have_no_kept_kpis(loads):
    out = changes_since(loads, filters=Filters(owners=("Bob",)))
    # Bob's deals: D3 D4 updated, D5 added.
    assert (out["deals_added"], out["deals_updated"]) == (1, 2)
    assert out["kpis_before"] is None and "sidebar filters" in out["notes"][0]


def test_an_unknown_load_is_one_sentence(loads):
    with pytest.raises(ChangesError, match="There is no load 99"):
        changes_since(loads, 99)


def test_nothing_loaded_yet(con):
    with pytest.raises(ChangesError, match="Nothing has been loaded yet"):
        changes_since(con)


def test_a_remapped_load_points_to_its_remap():
    events = frame(
        "load_id superseded_by undone_at event first_load_id event_id",
        [(2, 5, "2025-01-01", "load", 2, 1)],
    )
    with pytest.raises(ChangesError, match="remapped as load 5"):
        changes.pick_event(events, 2)


def test_the_change_queries_read_only_the_rows_in_question(loads):
    """Golden rows of the three query files on loads 1-3."""
    scope = {"segments": None, "regions": None, "owners": None, "teams": None}
    rows = queries.run(loads, "changes_deals", {"first_load": 3, "undo_event": None, **scope})
    kinds = dict(zip(rows["deal_id"], rows["change_kind"], strict=True))
    # D2 came again unchanged; D5 is new; the rest changed.
    assert kinds == {
        "D1": "updated",
        "D2": "unchanged",
        "D3": "updated",
        "D4": "updated",
        "D5": "added",
    }
    params = {"first_load": 3, "undo_event": None, **scope}
    known = queries.run(loads, "changes_competitors_before", params)
    assert list(known["name_key"]) == []  # every deal naming one came again in load 3
    params["first_load"] = 4  # nothing later: every current deal is untouched
    known = queries.run(loads, "changes_competitors_before", params)
    # D2 Acme, D3 Corvia, D5 Beta and acme (one key with D2's).
    assert list(known["name_key"]) == ["acme", "beta", "corvia"]
    events = queries.run(loads, "changes_events", Filters().scope_params())
    # Three load events, newest first, each covering its own load.
    assert list(events["load_id"]) == [3, 2, 1]
    assert list(events["event"]) == ["load"] * 3
    assert events["file_name"].notna().all()  # a reader who sees everything sees the files
    narrow = queries.run(
        loads, "changes_events", Filters(scope=access.Scope(("SMB",))).scope_params()
    )
    # A narrower grant still learns which loads happened, never who loaded which file.
    assert list(narrow["load_id"]) == [3, 2, 1]
    assert narrow[["file_name", "user_name", "rows_loaded"]].isna().all().all()


def test_a_first_import_that_removes_the_sample_says_so(con):
    """The sample (load 1: D1) is removed in the transaction of load 2 (D9): D9 is added, D1
    is not listed as removed (its rows are gone), and a note says why."""
    sample = frame(DEAL_COLUMNS, [LOAD_2[0]])
    warehouse.load_frames(con, {"deals": sample}, source="sample", is_sample=True)
    own = frame(
        DEAL_COLUMNS, [("D9", "A1", "Ann", "Proposal", "open", 10, "2025-01-01", None, None)]
    )
    con.register("own_deals", own)
    warehouse.load_relations(
        con, {"deals": "own_deals"}, warehouse.LoadInfo("import", "own.csv"), undoing=[1]
    )
    out = changes_since(con)
    assert (out["loads"], out["deals_added"], out["deals_removed"]) == ([2], 1, 0)
    assert out["notes"] == [
        "The sample (load 1) was removed with this load: the KPIs before include it, "
        "its deals are not listed as removed."
    ]
    # KPIs before: the sample's D1 (open 100); after: D9 alone (open 10).
    assert out["kpis_before"]["all_time"]["pipeline_open_amount"] == 100.0
    assert out["kpis_after"]["all_time"]["pipeline_open_amount"] == 10.0


def test_a_remap_that_drops_a_deal_removes_it(loads):
    """Load 4 remaps load 3 (superseding it) with the same rows but D5: the version before it
    is the one after load 3, so D5 is removed and nothing else changed."""
    remapped = frame(DEAL_COLUMNS, LOAD_3[:4])
    loads.register("remapped_deals", remapped)
    warehouse.load_relations(
        loads,
        {"deals": "remapped_deals"},
        warehouse.LoadInfo("import", "deals-march.csv"),
        superseding=[3],
    )
    out = changes_since(loads)
    assert (out["loads"], out["deals_added"], out["deals_updated"], out["deals_removed"]) == (
        [4],
        0,
        0,
        1,
    )
    assert [(m["deal_id"], m["amount_change"]) for m in out["biggest_movers"]] == [("D5", -500.0)]
    # Open pipeline 1,100 (D2 D4 D5) -> 600 (D2 D4).
    assert out["kpis_before"]["all_time"]["pipeline_open_amount"] == 1100.0
    assert out["kpis_after"]["all_time"]["pipeline_open_amount"] == 600.0
    # Load 3 is no longer in effect: asking for it points to its remap.
    with pytest.raises(ChangesError, match="remapped as load 4"):
        changes_since(loads, 3)


def test_a_load_without_a_file_name_is_named_by_its_number(con):
    """Rows loaded by code (no file) have a null file name: the headline names 'load 1' and the
    file is None, not NaN (pandas reads a null text cell as NaN)."""
    from dashboard.analytics.changes import words

    deals = frame(DEAL_COLUMNS, [LOAD_2[0]])
    warehouse.load_frames(con, {"deals": deals}, source="api")
    result = changes_since(con)
    assert result["files"][0]["file_name"] is None
    assert words.headline(result).startswith("Since load 1,")


def test_movers_keep_ties_at_the_cut_and_new_competitors_their_first_spelling(con):
    # Load 1: D99, competitor "Gamma". Load 2: 12 added deals D00..D11 with amounts 100, 100,
    # 90, 90, ..., i.e. 100 - 10*(i//2); the ten largest moves are D00..D09 (100, 100, 90, 90,
    # 80, 80, 70, 70, 60, 60), ties by deal_id. Competitor cells: "Acme" first on D00, "ACME "
    # on D01 (the same key), "Beta; Gamma" on D02; "Gamma" was named before (D99): new = Acme
    # and Beta, spelled as first seen.
    columns = "deal_id account_id owner stage status amount created_at competitor"
    first = [("D99", "A1", "Ann", "Proposal", "open", 5, "2025-01-05", "Gamma")]
    cells = ["Acme", "ACME ", "Beta; Gamma"] + [None] * 9
    second = [
        (f"D{i:02d}", "A1", "Ann", "Proposal", "open", 100 - 10 * (i // 2), "2025-01-05", cell)
        for i, cell in enumerate(cells)
    ]
    for rows, name in ((first, "one.csv"), (second, "two.csv")):
        warehouse.load_frames(con, {"deals": frame(columns, rows)}, source="test", file_name=name)
    out = changes_since(con)
    assert [m["deal_id"] for m in out["biggest_movers"]] == [f"D{i:02d}" for i in range(10)]
    assert out["new_competitors"] == ["Acme", "Beta"]
