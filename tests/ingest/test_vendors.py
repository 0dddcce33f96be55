"""Each vendor-shaped export (sample_data/exports) and the UCI sample import to exact rows."""

from datetime import datetime
from pathlib import Path

import pytest

from dashboard.ingest import loader
from tests.conftest import EXPORTS

UCI = EXPORTS / "uci-online-retail-sample.csv"  # copied from shared/data, see its README


def load(con, path: Path, **options):
    inspection = loader.inspect(con, path, path.name, **options)
    try:
        result = loader.commit(con, inspection)
    finally:
        loader.close(con, inspection)
    return inspection, result


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


DEALS = (
    "select deal_id, account_id, deal_name, pipeline, stage, status, amount::double,"
    " currency,"
    " created_at, closed_at, owner, source, competitor, loss_reason from deals"
    " order by created_at"
)


def test_hubspot_deals_with_stage_history(con):
    inspection, result = load(con, EXPORTS / "hubspot-crm-exports-all-deals-2024-08-27.csv")
    assert inspection.vendor.vendor == "hubspot" and inspection.mapping.table == "deals"
    assert (result.rows_loaded, result.rows_rejected) == (3, 0)
    assert rows(con, DEALS) == [
        # Closed Won: close date is the day it entered Closed Won (HubSpot rewrites Close Date)
        (
            "101",
            "name:acme corp",
            "Acme renewal",
            "Sales Pipeline",
            "Closed Won",
            "won",
            12500,
            None,
            datetime(2024, 1, 15, 9, 12),
            datetime(2024, 3, 2, 10, 0),
            "Ann Lee",
            None,
            None,
            None,
        ),
        # internal id closedlost -> Closed Lost; lost with amount 0 kept as 0
        (
            "102",
            "name:beta llc",
            "Beta pilot",
            "Sales Pipeline",
            "Closed Lost",
            "lost",
            0,
            None,
            datetime(2024, 2, 10),
            datetime(2024, 4, 12),
            "Bob Ray",
            None,
            None,
            "Budget",
        ),
        # open: its Close Date (an expected date) is not a close date
        (
            "103",
            "name:gamma inc",
            "Gamma expansion",
            "Sales Pipeline",
            "Qualified to Buy",
            "open",
            8000,
            None,
            datetime(2024, 5, 2),
            None,
            "Ann Lee",
            None,
            None,
            None,
        ),
    ]
    assert rows(
        con,
        "select deal_id, stage, entered_at from deal_stage_history order by deal_id, entered_at",
    ) == [
        ("101", "Appointment Scheduled", datetime(2024, 1, 15, 9, 12)),
        ("101", "Qualified to Buy", datetime(2024, 2, 1)),
        ("101", "Closed Won", datetime(2024, 3, 2, 10, 0)),
        ("102", "Appointment Scheduled", datetime(2024, 2, 10)),
        ("102", "Closed Lost", datetime(2024, 4, 12)),
        ("103", "Appointment Scheduled", datetime(2024, 5, 2)),
        ("103", "Qualified to Buy", datetime(2024, 5, 20)),
    ]
    assert rows(con, "select stage, stage_order, status from pipeline_stages order by 2") == [
        ("Appointment Scheduled", 1, "open"),
        ("Qualified to Buy", 2, "open"),
        ("Closed Won", 3, "won"),
        ("Closed Lost", 4, "lost"),
    ]


def test_salesforce_report_export(con):
    inspection, result = load(con, EXPORTS / "salesforce-opportunities-report.csv")
    assert inspection.vendor.vendor == "salesforce"
    assert (result.rows_loaded, result.rows_rejected) == (3, 0)
    got = [r[1:] for r in rows(con, DEALS)]  # deal ids are generated: checked below
    assert got == [
        (
            "name:acme corp",
            "Acme - Platform",
            "Salesforce opportunities",
            "Closed Won",
            "won",
            1234567,
            "USD",
            datetime(2024, 1, 5),
            datetime(2024, 3, 28),
            "Ann Lee",
            "Partner",
            "Acmetrics; Corvia",
            None,
        ),
        (
            "name:beta llc",
            "Beta - Pilot",
            "Salesforce opportunities",
            "Negotiation/Review",
            "open",
            45000,
            "USD",
            datetime(2024, 2, 14),
            None,
            "Bob Ray",
            "Web",
            None,
            None,
        ),
        (
            "name:gamma inc",
            "Gamma - Add-on",
            "Salesforce opportunities",
            "Closed Lost",
            "lost",
            9999.5,
            "USD",
            datetime(2024, 4, 1),
            datetime(2024, 5, 3),
            "Cy Dee",
            "Referral",
            "Acmetrics",
            None,
        ),
    ]
    assert all(r[0].startswith("gen-") for r in rows(con, DEALS))
    # Several competitors in one cell: one child row each.
    assert rows(
        con, "select competitor, count(*) from summary_deal_competitors group by 1 order by 1"
    ) == [("Acmetrics", 2), ("Corvia", 1)]


def test_salesforce_data_loader_export_and_its_history(con):
    _, result = load(con, EXPORTS / "salesforce-dataloader-opportunity.csv")
    assert (result.rows_loaded, result.rows_rejected) == (3, 0)
    assert [r[:10] for r in rows(con, DEALS)] == [
        (
            "0065g00000AbCdE",
            "0015g00000XyZ01",
            "Acme - Platform",
            "Salesforce opportunities",
            "Closed Won",
            "won",
            125000,
            None,
            datetime(2024, 1, 5, 10, 15),
            datetime(2024, 3, 28),
        ),
        (
            "0065g00000AbCdF",
            "0015g00000XyZ02",
            "Beta - Pilot",
            "Salesforce opportunities",
            "Proposal/Price Quote",
            "open",
            45000,
            None,
            datetime(2024, 2, 14, 8, 0),
            None,
        ),
        # 23:30 at -02:00 is 01:30 UTC the next day; an empty amount stays empty
        (
            "0065g00000AbCdG",
            "0015g00000XyZ03",
            "Gamma - Add-on",
            "Salesforce opportunities",
            "Closed Lost",
            "lost",
            None,
            None,
            datetime(2024, 4, 2, 1, 30),
            datetime(2024, 5, 3),
        ),
    ]
    inspection, result = load(con, EXPORTS / "salesforce-opportunity-history.csv")
    assert inspection.mapping.table == "deal_stage_history" and result.rows_loaded == 3
    assert rows(con, "select stage, entered_at from deal_stage_history order by 2") == [
        ("Prospecting", datetime(2024, 1, 5, 10, 15)),
        ("Negotiation/Review", datetime(2024, 2, 20, 9, 0)),
        ("Closed Won", datetime(2024, 3, 28, 17, 0)),
    ]


def test_pipedrive_status_column_and_won_lost_steps(con):
    inspection, result = load(con, EXPORTS / "pipedrive-deals.csv")
    assert inspection.vendor.vendor == "pipedrive"
    assert (result.rows_loaded, result.rows_rejected) == (3, 0)
    assert [r[:10] + r[13:] for r in rows(con, DEALS)] == [
        (
            "9",
            "name:gamma inc",
            "Consulting",
            "Pipedrive pipeline",
            "Contact Made",
            "lost",
            950,
            "EUR",
            datetime(2024, 2, 10, 11),
            datetime(2024, 2, 20, 12),
            "Too expensive",
        ),
        # won deals keep the stage they were won from; status says won
        (
            "8",
            "name:beta llc",
            "Annual license",
            "Pipedrive pipeline",
            "Negotiations Started",
            "won",
            15000,
            "EUR",
            datetime(2024, 3, 1, 9),
            datetime(2024, 4, 15, 16, 30),
            None,
        ),
        # "Expected close date" is not a close date
        (
            "7",
            "name:acme corp",
            "Website redesign",
            "Pipedrive pipeline",
            "Proposal Made",
            "open",
            3200,
            "EUR",
            datetime(2024, 5, 1, 10),
            None,
            None,
        ),
    ]
    assert rows(con, "select stage, stage_order, status from pipeline_stages order by 2") == [
        ("Contact Made", 1, "open"),
        ("Proposal Made", 2, "open"),
        ("Negotiations Started", 3, "open"),
        ("Won", 4, "won"),
        ("Lost", 5, "lost"),
    ]


def test_zoho_day_first_dates_and_account_ids(con):
    inspection, result = load(con, EXPORTS / "zoho-deals.csv")
    assert inspection.vendor.vendor == "zoho" and result.rows_loaded == 3
    assert [r[:10] for r in rows(con, DEALS)] == [
        (
            "zcrm_1001",
            "zcrm_501",
            "Acme deal",
            "Zoho deals",
            "Closed Won",
            "won",
            42000,
            None,
            datetime(2024, 1, 15, 10, 30),
            datetime(2024, 3, 31),
        ),
        (
            "zcrm_1002",
            "zcrm_502",
            "Beta deal",
            "Zoho deals",
            "Proposal/Price Quote",
            "open",
            95570.69,
            None,
            datetime(2024, 2, 14, 9),
            None,
        ),
        (
            "zcrm_1003",
            "zcrm_503",
            "Gamma deal",
            "Zoho deals",
            "Closed Lost to Competition",
            "lost",
            1250,
            None,
            datetime(2024, 4, 1, 16, 45),
            datetime(2024, 5, 3),
        ),
    ]


def test_dynamics_without_stages(con):
    inspection, result = load(con, EXPORTS / "dynamics-sales-opportunities.csv")
    assert inspection.vendor.vendor == "dynamics" and result.rows_loaded == 3
    assert [r[:10] for r in rows(con, DEALS)] == [
        (
            "OP000101",
            "name:acme corp",
            "ERP rollout",
            "Dynamics opportunities",
            "Won",
            "won",
            25000,
            None,
            datetime(2024, 1, 15),
            datetime(2024, 3, 20),
        ),
        (
            "OP000102",
            "name:beta llc",
            "Support plan",
            "Dynamics opportunities",
            "Open",
            "open",
            4500,
            None,
            datetime(2024, 2, 1),
            None,
        ),
        (
            "OP000103",
            "name:gamma inc",
            "Migration",
            "Dynamics opportunities",
            "Lost",
            "lost",
            12000,
            None,
            datetime(2024, 2, 10),
            datetime(2024, 4, 1),
        ),
    ]


def test_latin1_semicolon_decimal_comma_accounts_join_deals_by_name(con):
    inspection, result = load(con, EXPORTS / "accounts-latin1-semicolon.csv")
    assert inspection.staged.encoding == "cp1252" and inspection.staged.delimiter == ";"
    assert inspection.mapping.table == "accounts" and result.rows_loaded == 2
    assert rows(
        con,
        "select account_id, account_name, segment, employees, annual_revenue::double"
        " from accounts order by 2",
    ) == [
        ("name:müller gmbh", "Müller GmbH", "Mid-Market", 850, 45000),
        ("name:société générale démo", "Société Générale Démo", "Enterprise", 12500, 1234567.89),
    ]
    deals = "Account Name,Stage,Amount\nMüller GmbH,Closed Won,100\n".encode()
    inspection = loader.inspect(con, deals, "deals.csv")
    loader.commit(con, inspection)
    loader.close(con, inspection)
    assert rows(con, "select a.segment from deals d join accounts a using (account_id)") == [
        ("Mid-Market",)
    ]


def test_reviews_become_csat_with_a_rejected_rating(con):
    inspection, result = load(con, EXPORTS / "app-store-reviews.csv")
    assert inspection.mapping.table == "surveys"
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    assert rows(con, "select response_id, survey_type, score, comment from surveys order by 1") == [
        ("R1", "csat", 5.0, "Great product,\nwould buy again"),  # a line break inside quotes
        ("R2", "csat", 2.0, '=HYPERLINK("http://example.invalid")'),  # stored as text
    ]


def test_uci_online_retail_sample(con):
    """The real file: amount = Quantity x UnitPrice, month-first dates, NA customers rejected."""
    inspection, result = load(con, UCI)
    assert inspection.mapping.table == "orders"
    assert inspection.mapping.source("amount").columns == ("Quantity", "UnitPrice")
    assert "InvoiceDate: dates read as month first (05/27/2026)" in inspection.notes
    # 2,709 lines; 668 have CustomerID NA and are rejected with their line numbers.
    assert (result.rows_loaded, result.rows_rejected) == (2041, 668)
    first = rows(
        con,
        "select account_id, ordered_at, amount::double, product, quantity"
        " from orders order by ordered_at, account_id, product limit 1",
    )
    # file line 2667: 6 x 2.1 on "12/1/2010 9:02" for customer 17850
    assert first == [
        ("17850", datetime(2010, 12, 1, 9, 2), 12.6, "WOODEN PICTURE FRAME WHITE FINISH", 6.0)
    ]
    # 10/31/2011 10:42, 4 x 4.25 for customer 12488 (the file's first line)
    assert rows(
        con,
        "select amount::double from orders where account_id = '12488'"
        " and ordered_at = '2011-10-31 10:42:00'",
    ) == [(17.0,)]
    total = rows(con, "select sum(amount) from orders")[0][0]
    assert float(total) == pytest.approx(37304.88)


def test_the_samples_stages_never_join_an_imported_pipeline_of_the_same_name(con):
    from dashboard.store import sample

    sample.load_sample(con, scale=0.02)  # its pipeline is also called "Sales Pipeline"
    inspection = loader.inspect(
        con, EXPORTS / "hubspot-crm-exports-all-deals-2024-08-27.csv", "hubspot.csv"
    )
    stages = inspection.conversion.stage_map["stage"].tolist()
    loader.close(con, inspection)
    assert stages == ["Appointment Scheduled", "Qualified to Buy", "Closed Won", "Closed Lost"]
