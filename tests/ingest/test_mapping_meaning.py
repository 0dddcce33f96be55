"""Columns mapped by meaning (issue 17, point 1): header words, near-misses, content profiles,
values shared with another file, and a confidence that says what is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import cli
from dashboard.ingest import columns, headers, loader
from dashboard.ingest.fields import fields_of
from dashboard.ingest.mapping import guess
from dashboard.ingest.vendors import Recognition

REAL = Path(__file__).parent / "real_exports"
GENERIC = Recognition("generic", 1.0, ())


def inspect(con, path: Path, **options) -> loader.Inspection:
    ins = loader.inspect(con, path, path.name, allow_incomplete=True, **options)
    loader.close(con, ins)
    return ins


def mapped(ins: loader.Inspection) -> dict[str, str]:
    return {k: c.source.describe() for k, c in ins.mapping.fields.items() if c.source}


# --- header words --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("close_value", ("close", "value")),
        ("CloseValue", ("close", "value")),
        ("CLOSE_VALUE", ("close", "value")),
        ("OppID", ("opportunity", "id")),
        ("BEGINDATE", ("begin", "date")),
        ("Order #", ("order", "number")),
        ("acct_rev_amt", ("account", "revenue", "amount")),
        ("Ammount", ("amount",)),  # a typo read as the word it nearly is (rapidfuzz)
        ("Дата создания", ("дата", "создания")),
    ],
)
def test_header_words(header, expected):
    assert headers.words(header).words == expected


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("close_value", "amount"),  # value -> amount
        ("sales_agent", "owner"),  # agent -> owner
        ("deal_stage", "stage"),
        ("STAGE_ID", "stage"),
        ("ASSIGNED_BY_ID", "owner"),
        ("AccountId", "account_id"),
        ("account", "account_name"),
        ("Oportunity Name", "deal_name"),  # near-miss
        ("opp_amt", "amount"),
    ],
)
def test_deal_headers_name_their_field(header, field):
    """By the header's words alone (Bitrix24's OPPORTUNITY, a sum, and Odoo's Opportunity, a
    name, need their content: see the vendor tests)."""
    specs = fields_of("deals")
    scores = {
        name: headers.match(header, name, spec.synonyms).score for name, spec in specs.items()
    }
    assert max(scores, key=scores.get) == field and scores[field] >= 0.6


def test_a_start_date_is_recognised_as_one():
    assert headers.is_start_date("engage_date") and headers.is_start_date("BEGINDATE")
    assert not headers.is_start_date("close_date")


# --- expected mappings of the real export shapes ---------------------------------------------


def test_four_file_crm_pipeline_maps_every_field(con):
    ins = inspect(con, REAL / "maven-crm" / "sales_pipeline.csv")
    assert ins.mapping.table == "deals"
    assert mapped(ins) == {
        "deal_id": "opportunity_id",
        "owner": "sales_agent",
        "product": "product",
        "account_name": "account",
        "stage": "deal_stage",
        "closed_at": "close_date",
        "amount": "close_value",
        "created_at": "engage_date",  # no creation date: the start date stands in, with a note
    }
    assert any("engage_date" in n and "stands in" in n for n in ins.notes)


def test_four_file_crm_accounts_are_not_refused(con):
    ins = inspect(con, REAL / "maven-crm" / "accounts.csv")
    assert ins.problem is None and ins.mapping.table == "accounts"
    assert mapped(ins) == {
        "account_name": "account",
        "industry": "sector",
        "annual_revenue": "revenue",
        "employees": "employees",
        "country": "office_location",
    }
    assert ins.rows_ok == 5


def test_salesforce_data_loader_keeps_its_mapping(con):
    ins = inspect(con, REAL / "salesforce-dataloader" / "Opportunity.csv")
    assert ins.mapping.table == "deals"
    assert mapped(ins) == {
        "deal_id": "Id",
        "account_id": "AccountId",
        "deal_name": "Name",
        "stage": "StageName",
        "amount": "Amount",
        "created_at": "CreatedDate",
        "closed_at": "CloseDate",
        "source": "LeadSource",
        "is_won": "IsWon",
        "is_closed": "IsClosed",
        "probability": "Probability",
    }


BITRIX_DEALS = {
    "deal_id": "ID",
    "deal_name": "TITLE",
    "stage": "STAGE_ID",
    "owner": "ASSIGNED_BY_ID",
    "amount": "OPPORTUNITY",
    "currency": "CURRENCY_ID",
    "created_at": "DATE_CREATE",  # not BEGINDATE: a creation date exists
    "closed_at": "CLOSEDATE",
    "is_closed": "CLOSED",
    "source": "SOURCE_ID",
    "account_id": "COMPANY_ID",
}


def test_bitrix24_dump_is_deals_never_tickets(con):
    ins = inspect(con, REAL / "bitrix24" / "crm_deal_dump.csv")
    assert ins.vendor.vendor == "bitrix24"
    assert ins.mapping.table == "deals"
    assert mapped(ins) == BITRIX_DEALS
    assert ins.rows_ok == 10 and ins.rows_rejected == 0


def test_bitrix24_russian_ui_export_maps_to_deals(con):
    ins = inspect(con, REAL / "bitrix24" / "DEAL_20230601.csv")
    assert ins.vendor.vendor == "bitrix24" and ins.mapping.table == "deals"
    assert mapped(ins) == {
        "deal_id": "ID",
        "deal_name": "Название сделки",
        "stage": "Стадия сделки",
        "owner": "Ответственный",
        "amount": "Сумма",
        "currency": "Валюта",
        "created_at": "Дата создания",
        "closed_at": "Дата завершения",
        "is_closed": "Сделка закрыта",
        "source": "Источник",
    }
    assert ins.rows_ok == 10  # "Да" reads as yes


def test_review_comment_is_the_text_never_the_0_1_flag(con):
    ins = inspect(con, REAL / "reviews" / "amazon_alexa.tsv")
    assert ins.mapping.table == "surveys"
    fields = mapped(ins)
    assert fields["comment"] == "verified_reviews" and fields["score"] == "rating"
    assert "feedback" not in fields.values()


def test_a_free_text_field_is_never_fed_by_a_flag():
    flag = columns.profile("feedback", ["1", "0", "1", "1"])
    text = columns.profile("notes", ["Love my Echo!", "Works fine most days", "Meh"])
    comment = fields_of("surveys")["comment"]
    assert columns.fit(flag, comment) < 0.1 and columns.fit(text, comment) == 1.0


# --- people's names shared with another file -----------------------------------------------


def test_values_shared_with_a_teams_file_make_a_column_the_owner():
    names = ["Moses Frase", "Darcel Schlecht", "Anna Snelling"]
    cells = {"ref": ["A1", "A2", "A3"], "stage": ["Won", "Lost", "Won"], "rep": names}
    profiles = {h: columns.profile(h, v) for h, v in cells.items()}
    alone = guess(list(cells), "x.csv", GENERIC, "deals", profiles)
    assert alone.source("owner") is None  # "rep" says nothing by itself
    teams = {"sales_agent": {"moses frase", "darcel schlecht", "anna snelling", "zed"}}
    together = guess(list(cells), "x.csv", GENERIC, "deals", profiles, shared=teams)
    assert together.source("owner").columns == ("rep",)
    assert "sales_agent" in together.fields["owner"].why


# --- confidence says what is missing --------------------------------------------------------


def test_never_100_percent_sure_with_the_amount_unmapped(con):
    ins = inspect(con, REAL / "hubspot-no-amount" / "hubspot-crm-exports-all-deals-2024-08-27.csv")
    assert ins.mapping.table == "deals" and ins.mapping.source("amount") is None
    assert ins.mapping.confidence < 1.0
    assert ins.mapping.summary() == "deals (85% sure: no amount)"


def test_summary_names_each_missing_important_field():
    cells = {"Deal Stage": ["Won", "Lost"], "Deal owner": ["Ann", "Bob"]}
    profiles = {h: columns.profile(h, v) for h, v in cells.items()}
    mapping = guess(list(cells), "deals.csv", GENERIC, None, profiles)
    # 5 important deal fields, 4 missing: 1 - 4 x 0.15 = 40%
    assert mapping.summary() == (
        "deals (40% sure: no amount, no creation date, no close date, no account)"
    )


def test_cli_header_line_says_what_is_missing(db_path, capsys):
    path = REAL / "hubspot-no-amount" / "hubspot-crm-exports-all-deals-2024-08-27.csv"
    assert cli.main(["import", str(path), "--db", str(db_path), "--dry-run"]) == 0
    assert "-> table deals (85% sure: no amount)" in capsys.readouterr().out


# --- more CRMs ------------------------------------------------------------------------------

VENDOR_CASES = {
    "odoo/crm.lead.csv": (
        "odoo",
        {
            "deal_id": "ID",
            "deal_name": "Opportunity",
            "account_name": "Customer",
            "amount": "Expected Revenue",
            "stage": "Stage",
            "owner": "Salesperson",
            "created_at": "Created on",
            "closed_at": "Closed Date",
            "loss_reason": "Lost Reason",
            "probability": "Probability",
        },
    ),
    "freshsales/deals.csv": (
        "freshsales",
        {
            "deal_name": "Name",
            "amount": "Deal value",
            "currency": "Currency",
            "stage": "Deal stage",
            "pipeline": "Deal pipeline",
            "owner": "Sales owner",
            "account_name": "Account name",
            "closed_at": "Closed date",
            "created_at": "Created at",
            "source": "Source",
            "probability": "Probability (%)",
            "loss_reason": "Lost reason",
        },
    ),
    "close/opportunities.csv": (
        "close",
        {
            "deal_id": "id",
            "account_name": "lead_name",
            "stage": "status_label",
            "status": "status_type",
            "amount": "value",
            "currency": "value_currency",
            "probability": "confidence",
            "owner": "user_name",
            "created_at": "date_created",
        },
    ),
    "copper/opportunities.csv": (
        "copper",
        {
            "deal_name": "Name",
            "account_name": "Company",
            "pipeline": "Pipeline",
            "stage": "Stage",
            "status": "Status",
            "amount": "Value",
            "owner": "Owner",
            "closed_at": "Close Date",
            "probability": "Win Probability",
            "loss_reason": "Loss Reason",
            "source": "Source",
            "created_at": "Date Created",
        },
    ),
    "monday/Deals.csv": (
        "monday",
        {
            "deal_name": "Name",
            "stage": "Stage",
            "owner": "Owner",
            "amount": "Deal Value",
            "account_name": "Accounts",
            "closed_at": "Actual Close Date",  # not the expected one
            "probability": "Close Probability",
        },
    ),
}


@pytest.mark.parametrize("case", list(VENDOR_CASES))
def test_more_crm_deal_exports_are_recognised_and_mapped(con, case):
    vendor, expected = VENDOR_CASES[case]
    ins = inspect(con, REAL / case)
    assert ins.vendor.vendor == vendor and ins.mapping.table == "deals"
    assert mapped(ins) == expected
    assert ins.rows_rejected == 0 and ins.rows_ok > 0
