"""Several files dropped together are one export: ordered, joined to each other, checked, loaded
all together (dashboard/ingest/batch.py), on the page's functions and on `crm-dashboard import`.

The golden case is tests/ingest/real_exports/maven-crm, the four-file CRM export of issue 17.
The four files import with no hint (tables and columns recognised by branch `meaning`, stage
order by branch `stages`, both merged); one test gives every table and column explicitly
(--table FILE=TABLE, --map FILE:FIELD=COLUMN) and must read the same.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard import cli
from dashboard.analytics.funnel import data as funnel
from dashboard.core.filters import Filters
from dashboard.ingest import batch, loader
from dashboard.ingest.errors import ImportProblem
from dashboard.store import warehouse

MAVEN = Path(__file__).parent / "real_exports" / "maven-crm"
FILES = ("sales_pipeline.csv", "accounts.csv", "products.csv", "sales_teams.csv")  # deals first
OPTIONS = [
    *("--table", "sales_pipeline.csv=deals", "--table", "accounts.csv=accounts"),
    *("--table", "products.csv=products", "--table", "sales_teams.csv=owners"),
    *("--map", "accounts.csv:account_name=account"),
    *("--map", "sales_pipeline.csv:account_name=account"),
    *("--map", "sales_pipeline.csv:owner=sales_agent"),
    *("--map", "sales_pipeline.csv:amount=close_value"),
    *("--map", "sales_pipeline.csv:created_at=engage_date"),
    *("--map", "sales_teams.csv:owner=sales_agent"),
    *("--map", "sales_teams.csv:team=regional_office"),
]
# The key overlap, by hand from the four files:
# - 16 deals; 3RTQ7KM0 and 6Y2RW9HA (Prospecting) name no account; the other 14 name Acme
#   Corporation, Betasoloin, Cancity, Codehow or Dontechi, all five in accounts.csv.
# - 6 distinct sales agents on deals (Anna Snelling, Cecily Lampkin, Darcel Schlecht, Hayden
#   Neloms, Moses Frase, Violet Mclelland), all six in sales_teams.csv.
# - 5 distinct product names on deals: GTX Basic, GTXPro, MG Special, MG Advanced, GTK 500;
#   four are spelled as in products.csv, GTXPro matches 'GTX Pro' with the space ignored.
OVERLAP = [
    "account (sales_pipeline.csv → accounts.csv): 14 of 16 deals name an account in "
    "accounts.csv (2 name none)",
    "sales_agent (sales_pipeline.csv → sales_teams.csv): 6 of 6 deal owners are in sales_teams.csv",
    "product (sales_pipeline.csv → products.csv): 5 of 5 product names match products.csv "
    "('GTXPro' ≈ 'GTX Pro' matched loosely)",
]


def run_import(db_path: Path, *extra: str) -> int:
    return cli.main(["import", "--db", str(db_path), *(str(MAVEN / f) for f in FILES), *extra])


@pytest.fixture
def maven_db(db_path: Path, capsys) -> Path:
    assert run_import(db_path) == 0
    capsys.readouterr()
    return db_path


@pytest.mark.parametrize("hints", [(), OPTIONS], ids=["no hint", "every table and column named"])
def test_dry_run_shows_the_key_overlap_and_loads_nothing(db_path, capsys, hints):
    assert run_import(db_path, "--dry-run", *hints) == 0
    out = capsys.readouterr().out
    assert "How these files fit together:" in out
    for line in OVERLAP:
        assert f"  {line}\n" in out
    # Files are reported in load order: teams, products, accounts, then deals.
    names = ("sales_teams.csv: ", "products.csv: ", "accounts.csv: ", "sales_pipeline.csv: ")
    order = [out.index(f"\n{name}") if not out.startswith(name) else 0 for name in names]
    assert order == sorted(order)
    con = warehouse.connect(db_path)
    assert warehouse.is_empty(con)


def test_files_load_in_dependency_order_one_load_each(maven_db):
    con = warehouse.connect(maven_db)
    loads = con.execute("select file_name, table_names from loads order by load_id").fetchall()
    assert loads == [
        ("sales_teams.csv", ["owners"]),
        ("products.csv", ["products"]),
        ("accounts.csv", ["accounts"]),
        ("sales_pipeline.csv", ["pipeline_stages", "deals"]),
    ]


def test_deals_reach_their_accounts_segments(maven_db, capsys):
    con = warehouse.connect(maven_db)
    # Every deal naming an account has that account's id (generated from the name on both
    # sides); the two Prospecting deals without one have none.
    unmatched = con.execute(
        "select deal_id, account_id from deals d where not exists"
        " (select 1 from accounts a where a.account_id = d.account_id) order by 1"
    ).fetchall()
    assert unmatched == [("3RTQ7KM0", None), ("6Y2RW9HA", None)]
    # Won deals by derived segment (Acme 2822, Codehow 2641, Dontechi 1238 employees are
    # Enterprise; Betasoloin 495 Mid-market; Cancity 13 SMB):
    #   Enterprise: Z063OYW0 (Acme), MV1LWRNH (Codehow), PE84CX4O (Dontechi)      = 3
    #   Mid-market: ZNBS69V1 (Betasoloin)                                        = 1
    #   SMB:        1C1I7A6R, EC4QE1BX (Cancity)                                  = 2
    won = con.execute(
        "select a.segment, list(d.deal_id order by d.deal_id) from deals d"
        " join accounts a using (account_id) where d.status = 'won' group by 1 order by 1"
    ).fetchall()
    assert won == [
        ("Enterprise", ["MV1LWRNH", "PE84CX4O", "Z063OYW0"]),
        ("Mid-market", ["ZNBS69V1"]),
        ("SMB", ["1C1I7A6R", "EC4QE1BX"]),
    ]
    con.close()
    # The segment filter reaches the deals: Enterprise = Acme, Codehow, Dontechi's 9 deals:
    # won Z063OYW0 4514 + MV1LWRNH 588 + PE84CX4O 26000 = 31,102; lost HAXMC4IX, 5LTPXT0G,
    # UP409DSB; open 7OPRGEVP, AHIPBOHT, KWVA7VR1. Win rate 3 / (3 + 3) = 0.5.
    assert cli.main(["kpis", "--db", str(maven_db), "--segment", "Enterprise"]) == 0
    kpis = json.loads(capsys.readouterr().out)
    assert (kpis["deals_total"], kpis["deals_won"], kpis["deals_lost"]) == (9, 3, 3)
    assert kpis["won_amount"] == 31102.0
    assert kpis["win_rate"] == 0.5


def test_deals_by_team_through_the_owners_table(maven_db, capsys):
    # sales_teams.csv: Central = Anna Snelling, Cecily Lampkin, Darcel Schlecht; East = Moses
    # Frase, Violet Mclelland; West = Hayden Neloms. Deals per agent from sales_pipeline.csv:
    #   Central: Darcel 3 (Z063OYW0 won, EC4QE1BX won, 7OPRGEVP), Anna 3 (ZNBS69V1 won,
    #            5LTPXT0G, 6Y2RW9HA), Cecily 2 (UP409DSB, 3RTQ7KM0)     -> 8 deals, 3 won
    #   East:    Moses 3 (1C1I7A6R won, MV1LWRNH won, TYXPSGQX), Violet 2 (PE84CX4O won,
    #            B2Z9RR1N)                                               -> 5 deals, 3 won
    #   West:    Hayden 3 (HAXMC4IX, AHIPBOHT, KWVA7VR1)                 -> 3 deals, 0 won
    # East's won amount: 1054 + 588 + 26000 = 27,642.
    con = warehouse.connect(maven_db)
    teams = con.execute(
        "select o.team, count(*), count(*) filter (where d.status = 'won') from deals d"
        " join owners o on o.owner = d.owner group by 1 order by 1"
    ).fetchall()
    assert teams == [("Central", 8, 3), ("East", 5, 3), ("West", 3, 0)]
    con.close()
    got = {}
    for team in ("Central", "East", "West"):
        assert cli.main(["kpis", "--db", str(maven_db), "--team", team]) == 0
        kpis = json.loads(capsys.readouterr().out)
        got[team] = (kpis["deals_total"], kpis["deals_won"], kpis["won_amount"])
    # Central won: Z063OYW0 4514 + EC4QE1BX 50 + ZNBS69V1 3400 = 7,964. West won nothing: the
    # amount is mapped, so its won amount is $0 (a sum over no deal), not "no data".
    assert got == {"Central": (8, 3, 7964.0), "East": (5, 3, 27642.0), "West": (3, 0, 0.0)}


def test_funnel_breakdown_by_product_series(maven_db):
    # products.csv: GTX Basic, GTX Pro -> GTX; MG Special, MG Advanced -> MG; GTK 500 -> GTK.
    #   GTX: 1C1I7A6R won, Z063OYW0 won (spelled GTXPro), MV1LWRNH won, HAXMC4IX lost (GTXPro),
    #        5LTPXT0G lost, B2Z9RR1N, 7OPRGEVP (GTXPro), 3RTQ7KM0   -> 8 deals, 3 won, 2 lost
    #   MG:  EC4QE1BX won, ZNBS69V1 won, UP409DSB lost, AHIPBOHT, 6Y2RW9HA -> 5, 2 won, 1 lost
    #   GTK: PE84CX4O won, TYXPSGQX lost, KWVA7VR1                 -> 3 deals, 1 won, 1 lost
    con = warehouse.connect(maven_db)
    pipeline = funnel.default_pipeline(con, Filters())
    result = funnel.breakdown(con, Filters(), pipeline, "product_series")
    first = result.tidy[result.tidy["step_number"] == 1]
    got = {r.group_value: (r.count_reached, r.count_won, r.count_lost) for r in first.itertuples()}
    assert got == {"GTX": (8, 3, 2), "MG": (5, 2, 1), "GTK": (3, 1, 1)}
    assert result.table.columns[0] == "Product series"


def test_undo_one_file_of_the_batch(maven_db):
    # One load per file: undoing the accounts load removes the 5 accounts and nothing else;
    # the deals stay (their account ids now name no account).
    con = warehouse.connect(maven_db)
    accounts_load = con.execute(
        "select load_id from loads where file_name = 'accounts.csv'"
    ).fetchall()[0][0]
    assert warehouse.undo_load(con, accounts_load) == 5
    counts = [
        con.execute(f"select count(*) from {t}").fetchall()[0][0]  # noqa: S608
        for t in ("accounts", "deals", "owners", "products")
    ]
    assert counts == [0, 16, 6, 5]


def inspect(con, data: bytes, name: str, **options) -> loader.Inspection:
    return loader.inspect(con, data, name, **options)


def test_deals_named_by_name_get_the_id_of_the_batch_accounts(con):
    # accounts.csv has ids; deals.csv names its accounts ('acme ' in another case and with a
    # space). Inspected together, the deals get; alone they would get 'name:acme'.
    accounts = inspect(con, b"Account ID,Account Name\nA-1,Acme\nA-2,Beta\n", "accounts.csv")
    deals = inspect(
        con,
        b"Deal ID,Company,Stage\nD1,acme ,Closed Won\nD2,Beta,Closed Lost\nD3,Gamma,Closed Won\n",
        "deals.csv",
    )
    try:
        ordered, overlaps = batch.prepare(con, [deals, accounts])
        assert [i.name for i in ordered] == ["accounts.csv", "deals.csv"]
        assert [o.sentence() for o in overlaps] == [
            "Company (deals.csv → accounts.csv): 2 of 3 deals name an account in accounts.csv "
            "(not in accounts.csv: 'gamma')"
        ]
        batch.commit_all(con, ordered)
    finally:
        for ins in (accounts, deals):
            loader.close(con, ins)
    rows = con.execute("select deal_id, account_id from deals order by 1").fetchall()
    assert rows == [("D1", "A-1"), ("D2", "A-2"), ("D3", "name:gamma")]


def test_a_batch_lands_whole_or_not_at_all(con, monkeypatch):
    accounts = inspect(con, b"Account ID,Account Name\nA-1,Acme\n", "accounts.csv")
    deals = inspect(con, b"Deal ID,Account ID,Stage\nD1,A-1,Closed Won\n", "deals.csv")
    real_append = warehouse._append

    def failing_append(con_, table, relation, load_id):
        if table == "deals":
            raise warehouse.duckdb.ConstraintException("Constraint Error: disk full")
        return real_append(con_, table, relation, load_id)

    monkeypatch.setattr(warehouse, "_append", failing_append)
    try:
        ordered, _ = batch.prepare(con, [deals, accounts])
        with pytest.raises(ImportProblem) as caught:
            batch.commit_all(con, ordered)
    finally:
        for ins in (accounts, deals):
            loader.close(con, ins)
    assert str(caught.value) == (
        "Loading accounts.csv, deals.csv together failed, so none of them was loaded: disk full."
    )
    assert warehouse.is_empty(con)
    assert con.execute("select count(*) from accounts").fetchall()[0][0] == 0


def test_all_or_nothing_refuses_the_whole_batch_before_writing(con):
    accounts = inspect(con, b"Account ID,Account Name\nA-1,Acme\n", "accounts.csv")
    deals = inspect(
        con,
        b"Deal ID,Account ID,Stage,Amount\nD1,A-1,Closed Won,abc\nD2,A-1,Closed Won,5\n",
        "deals.csv",
    )
    try:
        ordered, _ = batch.prepare(con, [deals, accounts])
        with pytest.raises(ImportProblem, match="deals.csv: 1 rows would be rejected"):
            batch.commit_all(con, ordered, all_or_nothing=True)
    finally:
        for ins in (accounts, deals):
            loader.close(con, ins)
    assert warehouse.is_empty(con)


def test_product_names_spelled_differently(con):
    # 'GTX Pro' listed; deals say 'gtx-pro' (loose: case and dash ignored), 'GTX Pr0' (no
    # rule matches it: not counted, but its closest listed name is shown) and 'Widget'.
    products = inspect(con, b"product,series\nGTX Pro,GTX\n", "products.csv", table="products")
    deals = inspect(
        con,
        b"Deal ID,Stage,Product\nD1,Closed Won,gtx-pro\nD2,Closed Won,GTX Pr0\n"
        b"D3,Closed Won,Widget\nD4,Closed Won,GTX Pro\n",
        "deals.csv",
    )
    try:
        _, overlaps = batch.prepare(con, [deals, products])
    finally:
        for ins in (products, deals):
            loader.close(con, ins)
    assert [o.sentence() for o in overlaps] == [
        "Product (deals.csv → products.csv): 2 of 4 product names match products.csv "
        "('gtx-pro' ≈ 'GTX Pro' matched loosely; not in products.csv: 'GTX Pr0' (closest: "
        "'GTX Pro'), 'Widget')"
    ]


def test_product_key_is_the_same_rule_in_python_and_sql(con):
    names = ["GTX Pro", "GTXPro", " gtx-pro ", "GTX_Pro", "G.T.X Pro", "MG Special", "Über 5"]
    sql = con.execute("select product_key(unnest($n))", {"n": names}).fetchall()
    assert [r[0] for r in sql] == [batch.product_key(n) for n in names]
    assert len({batch.product_key(n) for n in names[:5]}) == 1


@pytest.mark.parametrize(
    ("tables", "overrides", "expected"),
    [
        ([], {}, {"a.csv": (None, {}), "b.csv": (None, {})}),
        (
            ["deals"],
            {"owner": "Rep"},
            {"a.csv": ("deals", {"owner": "Rep"}), "b.csv": ("deals", {"owner": "Rep"})},
        ),
        (
            ["a.csv=accounts"],
            {"b.csv:owner": "Rep", "entered:Won": "Won date"},
            {
                "a.csv": ("accounts", {"entered:Won": "Won date"}),
                "b.csv": (None, {"owner": "Rep", "entered:Won": "Won date"}),
            },
        ),
    ],
)
def test_per_file_options(tables, overrides, expected):
    names = ["a.csv", "b.csv"]
    got = {n: batch.options_for(n, names, tables, overrides) for n in names}
    assert got == expected


def test_per_file_table_naming_another_file_is_one_sentence(db_path, capsys):
    code = cli.main(
        [
            "import",
            "--db",
            str(db_path),
            str(MAVEN / "accounts.csv"),
            "--table",
            "acounts.csv=accounts",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert (
        "--table 'acounts.csv=accounts' names 'acounts.csv', which is not one of the files" in err
    )


def test_a_column_holding_the_teams_files_names_is_the_owner(tmp_path, db_path, capsys):
    # 'Handled' says nothing by its name; its values Ann Lee and Bob Roy are teams.csv's
    # sales_agent names, so with teams.csv dropped beside it, it is the deals' owner (branch
    # meaning's shared-values hook, fed by batch.with_shared). Alone it stays unmapped.
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "Deal ID,Stage,Amount,Handled\nD1,Closed Won,10,Ann Lee\nD2,Closed Lost,20,Bob Roy\n"
        "D3,Closed Won,5,Ann Lee\n"
    )
    teams = tmp_path / "teams.csv"
    teams.write_text("sales_agent,regional_office\nAnn Lee,East\nBob Roy,West\n")
    assert cli.main(["import", "--db", str(db_path), "--dry-run", str(deals)]) == 0
    assert "owner                  <- Handled" not in capsys.readouterr().out
    assert cli.main(["import", "--db", str(db_path), str(deals), str(teams)]) == 0
    out = capsys.readouterr().out
    assert "owner                  <- Handled" in out
    assert "  Handled (deals.csv → teams.csv): 2 of 2 deal owners are in teams.csv\n" in out
    # East (Ann Lee): D1 10 + D3 5 won = 15; West (Bob Roy): D2 lost.
    assert cli.main(["kpis", "--db", str(db_path), "--team", "East"]) == 0
    kpis = json.loads(capsys.readouterr().out)
    assert (kpis["deals_won"], kpis["won_amount"]) == (2, 15.0)


def test_history_loads_after_its_deals_and_its_overlap_is_shown(db_path, capsys):
    # OpportunityHistory.csv names 5 deals (AbC01, 02, 06, 09, 10), all in Opportunity.csv's
    # 14. Given first, the history still loads second.
    folder = Path(__file__).parent / "real_exports" / "salesforce-dataloader"
    files = [str(folder / "OpportunityHistory.csv"), str(folder / "Opportunity.csv")]
    assert cli.main(["import", "--db", str(db_path), *files]) == 0
    out = capsys.readouterr().out
    assert (
        "  OpportunityId (OpportunityHistory.csv → Opportunity.csv): 5 of 5 deals in the "
        "history are in Opportunity.csv\n" in out
    )
    con = warehouse.connect(db_path)
    loads = con.execute("select file_name from loads order by load_id").fetchall()
    assert loads == [("Opportunity.csv",), ("OpportunityHistory.csv",)]


def test_a_file_sharing_no_values_with_the_others_is_not_read_again(con):
    # deals.csv has no owner column its headers give away, and teams.csv's agents are
    # nowhere in it: another reading would guess the same, so with_shared does not inspect
    # it again. 'Rep' holds teams.csv's names: that file is inspected again.
    teams = inspect(con, b"sales_agent,regional_office\nAnn Lee,East\nBob Roy,West\n", "teams.csv")
    plain = inspect(
        con, b"Deal ID,Stage,Amount\nD1,Closed Won,10\nD2,Closed Lost,20\n", "deals.csv"
    )
    named = inspect(
        con,
        b"Deal ID,Stage,Amount,Rep\nD3,Closed Won,10,Ann Lee\nD4,Closed Lost,20,Bob Roy\n",
        "more_deals.csv",
    )
    again = []

    def inspect_again(old, shared):
        again.append(old.name)
        return inspect(con, old.staged.path.read_bytes(), old.name, shared=shared)

    found = batch.with_shared(con, [teams, plain, named], inspect_again)
    try:
        assert again == ["more_deals.csv"]
        assert found[2].mapping.source("owner").describe() == "Rep"
    finally:
        for ins in {id(i): i for i in [teams, plain, named, *found]}.values():
            loader.close(con, ins)
