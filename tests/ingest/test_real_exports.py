"""Issue 17's cases end to end: each real export shape imports as a new user would import it
(no hint, or the one hint a user would give), and its KPIs equal a hand computation.

The files are in tests/ingest/real_exports/ (see its README); every expected figure is worked
out from the rows in a comment. The CLI is called as a user calls it (cli.main(argv)).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from dashboard import cli

HERE = Path(__file__).parent / "real_exports"
MAVEN = HERE / "maven-crm"
SALESFORCE = HERE / "salesforce-dataloader"
BITRIX = HERE / "bitrix24"
FORMS = HERE / "google-forms"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def imported(capsys, db: Path, *argv: str) -> str:
    code, out, err = run(capsys, "import", *argv, "--db", db)
    assert code == 0, err or out
    assert "Traceback" not in out + err
    return out


def kpis(capsys, db: Path, *argv: str) -> dict:
    code, out, err = run(capsys, "kpis", "--db", db, *argv)
    assert code == 0, err
    return json.loads(out)


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


def test_four_file_export_dropped_together(capsys, db):
    out = imported(capsys, db, *sorted(MAVEN.glob("*.csv")))
    # Every file found its table: none forced into orders.
    assert "into orders" not in out
    sql = "select file_name, list_sort(table_names) from loads where not is_sample"
    tables = dict(rows(db, sql))
    assert tables == {
        "accounts.csv": ["accounts"],
        "products.csv": ["products"],
        "sales_pipeline.csv": ["deals", "pipeline_stages"],
        "sales_teams.csv": ["owners"],
    }
    got = kpis(capsys, db)
    # 16 deals: Won 6, Lost 4, Engaging 3 + Prospecting 3 = 6 open.
    assert (got["deals_total"], got["deals_won"], got["deals_lost"], got["deals_open"]) == (
        16,
        6,
        4,
        6,
    )
    # Won close_value: 1054 + 4514 + 50 + 588 + 26000 + 3400 = 35,606; win rate 6 / 10.
    assert got["won_amount"] == pytest.approx(35606)
    assert got["win_rate"] == pytest.approx(0.6)
    # Open deals carry no close_value: the pipeline is unknown, not $0.
    assert got["pipeline_open_amount"] is None
    # Cycle = close_date - engage_date (no creation date: the engage date stands in), won deals:
    # 132, 137, 133, 135, 119, 134 days -> sorted 119 132 133 134 135 137 -> median 133.5.
    assert got["median_sales_cycle_days"] == pytest.approx(133.5)
    # Customers: accounts with a won deal: Cancity, Acme Corporation, Codehow, Dontechi,
    # Betasoloin = 5, all new (all time).
    assert got["customers_total"] == 5 and got["new_customers"] == 5
    # Segment derived from employees: Acme 2822, Codehow 2641, Dontechi 1238 -> Enterprise;
    # their won deals Z063OYW0, MV1LWRNH, PE84CX4O = 3 (4514 + 588 + 26000 = 31,102).
    enterprise = kpis(capsys, db, "--segment", "Enterprise")
    assert enterprise["deals_won"] == 3 and enterprise["won_amount"] == pytest.approx(31102)
    # Team East = Moses Frase, Violet Mclelland: won 1C1I7A6R, MV1LWRNH (Moses), PE84CX4O
    # (Violet) = 3; lost TYXPSGQX (Moses) = 1; open B2Z9RR1N (Violet) = 1.
    east = kpis(capsys, db, "--team", "East")
    assert (east["deals_won"], east["deals_lost"], east["deals_open"]) == (3, 1, 1)
    # Stage order: Prospecting -> Engaging -> Won, Lost last.
    order = rows(
        db,
        "select stage from pipeline_stages where load_id = (select max(load_id) from loads "
        "where file_name = 'sales_pipeline.csv') order by stage_order",
    )
    assert [r[0] for r in order] == ["Prospecting", "Engaging", "Won", "Lost"]


def test_salesforce_status_follows_the_stage_flags_only_where_it_says_nothing(capsys, db):
    out = imported(capsys, db, SALESFORCE / "Opportunity.csv")
    # Two 'Closed Won' rows with IsWon false and one 'Closed Lost' with IsClosed false: the
    # stage decides, the 3 contradictions are reported.
    assert "3 rows" in out
    got = kpis(capsys, db)
    # Won: C01 C02 C03 C04 C05 (Closed Won) + C13 ('Signed', not a Salesforce stage: IsWon
    # true decides) = 6; lost: C06 C07 C08 = 3; open: C09 C10 C11 C12 C14 = 5.
    assert (got["deals_won"], got["deals_lost"], got["deals_open"]) == (6, 3, 5)
    # 52000 + 18000 + 7500 + 4000 + 125000 + 15000 = 221,500; open: 64000 + 88000 + 9000
    # + 20000 (C12 has none) = 181,000.
    assert got["won_amount"] == pytest.approx(221500)
    assert got["pipeline_open_amount"] == pytest.approx(181000)
    # Customers: accounts XyZ01 (C01, C04), XyZ02, XyZ03, XyZ04 (C05, C13) = 4.
    assert got["customers_total"] == 4


@pytest.mark.parametrize("name", ["OpportunityHistory.csv", "sf_opp_changes.csv"])
def test_stage_history_is_never_more_deals(capsys, db, name):
    imported(capsys, db, SALESFORCE / "Opportunity.csv")
    imported(capsys, db, SALESFORCE / name)
    # 5 deals x (4, 3, 3, 4, 2) stage changes = 16 history rows; still 14 deals.
    assert rows(db, "select count(*) from deal_stage_history") == [(16,)]
    assert kpis(capsys, db)["deals_total"] == 14


def test_bitrix24_dump_needs_no_hint(capsys, db):
    imported(capsys, db, BITRIX / "crm_deal_dump.csv")
    got = kpis(capsys, db)
    # C6:WON 101 102 104; C6:LOSE 103 110 + C6:APOLOGY 105 (lost); the rest open (CLOSED=N).
    assert (got["deals_won"], got["deals_lost"], got["deals_open"]) == (3, 3, 4)
    # 150000 + 98000.50 + 250000 = 498,000.50; open: 120000 + 60000 + 75000 (108: none).
    assert got["won_amount"] == pytest.approx(498000.5)
    assert got["pipeline_open_amount"] == pytest.approx(255000)


def test_bitrix24_russian_export_needs_no_hint_either(capsys, db):
    imported(capsys, db, BITRIX / "DEAL_20230601.csv")
    got = kpis(capsys, db)
    # Same ten deals as the dump, with Russian stage names ("Сделка заключена" = won,
    # "Сделка провалена" and "Анализ причины провала" = lost); decimal commas ("98000,50").
    assert (got["deals_won"], got["deals_lost"], got["deals_open"]) == (3, 3, 4)
    assert got["won_amount"] == pytest.approx(498000.5)


def test_a_foreign_win_stage_takes_the_one_hint(capsys, db, tmp_path):
    # A custom stage whose words say nothing: the one hint a user gives makes it a win.
    text = (BITRIX / "DEAL_20230601.csv").read_text(encoding="utf-8-sig")
    custom = tmp_path / "DEAL_custom.csv"
    custom.write_text(text.replace("Сделка заключена", "Оплачено"), encoding="utf-8-sig")
    imported(capsys, db, custom, "--stage", "Оплачено=won")
    got = kpis(capsys, db)
    assert (got["deals_won"], got["deals_lost"], got["deals_open"]) == (3, 3, 4)


def test_google_forms_dates_are_asked_not_guessed(capsys, db):
    form = FORMS / "Customer Feedback Survey (Responses) - Form Responses 1.csv"
    code, out, err = run(capsys, "import", form, "--db", db)
    assert code != 0 and "--date-format" in err + out and "Traceback" not in err + out
    imported(capsys, db, form, "--date-format", "Timestamp=month_first")
    # Recommend scores: promoters (9-10) 10, passives (7-8) 5, detractors (0-6) 5 of 20 ->
    # NPS = (10 - 5) / 20 = 25.
    got = kpis(capsys, db)
    assert got["nps_responses"] == 20 and got["nps"] == pytest.approx(25.0)
    assert rows(db, "select distinct strftime(responded_at, '%Y-%m') from surveys") == [
        ("2019-11",)
    ]


def test_nps_without_a_date_is_a_survey_not_accounts(capsys, db):
    code, out, err = run(capsys, "import", FORMS / "nps-no-date.csv", "--dry-run", "--db", db)
    # Refused as a survey that lacks its date (the one thing to map), not read as accounts.
    assert code != 0 and "Traceback" not in out + err
    assert "which surveys needs" in err and "responded_at" in err and "accounts" not in err


def test_review_text_is_the_comment_not_the_flag(capsys, db):
    imported(capsys, db, HERE / "reviews" / "amazon_alexa.tsv")
    comments = [r[0] for r in rows(db, "select comment from surveys")]
    assert "Love my Echo!" in comments and "1" not in comments and "0" not in comments
    # Ratings 5 5 4 5 2 3 1 5 4 5 1 4: 8 of 12 score 4 or 5 -> CSAT 66.7%.
    got = kpis(capsys, db)
    assert got["csat_responses"] == 12 and got["csat"] == pytest.approx(800 / 12)


def test_hubspot_without_amount_is_null_not_zero(capsys, db):
    imported(capsys, db, *(HERE / "hubspot-no-amount").glob("*.csv"))
    got = kpis(capsys, db)
    # Won: 9871001, 9871002 ('closedwon' id), 9871006 = 3; lost 1; open 2.
    assert (got["deals_won"], got["deals_lost"], got["deals_open"]) == (3, 1, 2)
    assert got["won_amount"] is None and got["pipeline_open_amount"] is None
    # Create -> Close for the won: 77.617, 60.583, 55.534 days -> median 60.583.
    assert got["median_sales_cycle_days"] == pytest.approx(60 + 14 / 24, abs=1e-6)


def test_no_thousands_separator_note_without_a_comma(capsys, db):
    code, out, _ = run(capsys, "import", SALESFORCE / "Opportunity.csv", "--dry-run", "--db", db)
    assert code == 0 and "thousands separators" not in out
