"""Which CRM wrote a file, from its header row alone (issue 19, point 6 of the last review): a
plain spreadsheet with our own field names ("pipeline, stage, status, owner") read as Copper,
whose signature shares those words. A vendor now needs one header of its own; every real
export shape (tests/ingest/real_exports, sample_data/exports) still names its CRM."""

import csv
from pathlib import Path

import pytest

from dashboard.ingest.vendors import recognise
from tests.conftest import EXPORTS

REAL = Path(__file__).parent / "real_exports"


@pytest.mark.parametrize(
    "headers",
    [
        # the no-amounts export of the browser tests; before: Copper (pipeline, stage)
        "deal_id,deal_name,pipeline,stage,created_at,closed_at,competitor",
        # our own canonical names; before: Copper (pipeline, stage, status, owner)
        "deal_id,account_id,pipeline,stage,status,amount,owner,created_at,closed_at",
        # a hand-made sheet; before: Copper (company, stage, status, value, owner)
        "Name,Company,Stage,Status,Value,Owner",
        # before: Salesforce (stage, created date)
        "Deal ID,Deal Name,Account,Stage,Amount,Created Date,Close Date,Owner",
    ],
)
def test_a_plain_spreadsheet_is_no_crm(headers):
    got = recognise(headers.split(","))
    assert (got.vendor, got.label) == ("generic", "a spreadsheet (no CRM recognised)")


def _header_row(path: Path) -> list[str]:
    text = path.read_bytes()[:4000].decode("utf-8-sig").splitlines()[0]
    delimiter = ";" if text.count(";") > text.count(",") else ","
    return next(csv.reader([text], delimiter=delimiter))


@pytest.mark.parametrize(
    ("path", "vendor"),
    [
        (REAL / "copper" / "opportunities.csv", "copper"),
        (REAL / "close" / "opportunities.csv", "close"),
        (REAL / "freshsales" / "deals.csv", "freshsales"),
        (REAL / "monday" / "Deals.csv", "monday"),
        (REAL / "odoo" / "crm.lead.csv", "odoo"),
        (REAL / "bitrix24" / "DEAL_20230601.csv", "bitrix24"),
        (REAL / "bitrix24" / "crm_deal_dump.csv", "bitrix24"),
        (REAL / "hubspot-no-amount" / "hubspot-crm-exports-all-deals-2024-08-27.csv", "hubspot"),
        (REAL / "salesforce-dataloader" / "Opportunity.csv", "salesforce"),
        (REAL / "salesforce-dataloader" / "OpportunityHistory.csv", "salesforce"),
        (REAL / "salesforce-dataloader" / "sf_opp_changes.csv", "salesforce"),
        (EXPORTS / "hubspot-crm-exports-all-deals-2024-08-27.csv", "hubspot"),
        (EXPORTS / "salesforce-opportunities-report.csv", "salesforce"),
        (EXPORTS / "salesforce-opportunity-history.csv", "salesforce"),
        (EXPORTS / "zoho-deals.csv", "zoho"),
        (EXPORTS / "dynamics-sales-opportunities.csv", "dynamics"),
        (EXPORTS / "pipedrive-deals.csv", "pipedrive"),
        (REAL / "maven-crm" / "sales_pipeline.csv", "generic"),
        (EXPORTS / "uci-online-retail-sample.csv", "generic"),
    ],
    ids=lambda v: v.name if isinstance(v, Path) else v,
)
def test_each_real_export_shape_still_names_its_crm(path, vendor):
    assert recognise(_header_row(path)).vendor == vendor
