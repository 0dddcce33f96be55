"""What the data can answer (issue 17, point 7): before loading, from the mappings; after
loading, from the data in effect; both from core/needs.py's one declaration."""

from pathlib import Path

from dashboard import cli
from dashboard.core import needs
from dashboard.ingest import answers, loader
from dashboard.ingest import fields as F
from dashboard.ingest.mapping import Choice, Mapping, Source

EXPORTS = Path(__file__).parent / "real_exports"
HUBSPOT = EXPORTS / "hubspot-no-amount" / "hubspot-crm-exports-all-deals-2024-08-27.csv"
PIPELINE = EXPORTS / "maven-crm" / "sales_pipeline.csv"
PIPELINE_HEADERS = [
    "opportunity_id",
    "sales_agent",
    "product",
    "account",
    "deal_stage",
    "engage_date",
    "close_date",
    "close_value",
]


def mapped(table: str, **columns: str) -> Mapping:
    return Mapping(table, 1.0, {k: Choice(Source((v,)), 1.0, "test") for k, v in columns.items()})


def four_file_pipeline() -> answers.MappedFile:
    """sales_pipeline.csv as the first guess left it (issue 17): amount, creation date,
    account and owner unmapped."""
    mapping = mapped(
        "deals",
        deal_id="opportunity_id",
        stage="deal_stage",
        closed_at="close_date",
        product="product",
    )
    return answers.MappedFile("sales_pipeline.csv", mapping, PIPELINE_HEADERS)


def test_before_loading_names_what_stays_empty_and_the_fix():
    lines = answers.lines(answers.before_loading([four_file_pipeline()]))
    assert (
        "Overview: open pipeline, won amount, average deal size — map an amount column "
        "(close_value looks like one)"
    ) in lines
    assert (
        "Overview: sales cycle — map a creation date column (engage_date looks like one)" in lines
    )
    assert (
        "Overview: new customers, customers — map an account (company) column on deals or a "
        "customer column on orders (account looks like one)"
    ) in lines
    assert (
        "Retention: customer cohorts, revenue retention — no file gives orders (customer, date, "
        "amount)" in lines
    )
    assert "Overview: NPS, CSAT, CES — no file gives surveys (score, date)" in lines
    assert "Overview: win rate" in lines  # a stage gives the status: win rate is fed
    assert "Funnel: stages and conversion" in lines


def test_mapping_the_fix_feeds_the_tile():
    file = four_file_pipeline()
    file.mapping.fields["amount"] = Choice(Source(("close_value",)), 1.0, "test")
    found = {(a.page, a.key): a for a in answers.before_loading([file])}
    assert found[("Overview", "won_amount")].why is None
    assert found[("Overview", "median_sales_cycle_days")].why is not None


def test_several_files_answer_together():
    orders = answers.MappedFile(
        "orders.csv",
        mapped("orders", account_id="Customer", ordered_at="Date", amount="Total"),
        ["Customer", "Date", "Total"],
    )
    found = {(a.page, a.key): a for a in answers.before_loading([four_file_pipeline(), orders])}
    assert found[("Retention", "retention")].why is None
    assert found[("Overview", "new_customers")].why is None  # customers from orders


def test_derived_fields_count_as_fed():
    mapping = mapped("deals", account_name="Associated Company", stage="Deal Stage")
    assert {("deals", "account_id"), ("deals", "status")} <= answers.fed_by(mapping)


def test_after_loading_reads_the_data_in_effect(con):
    inspection = loader.inspect(con, HUBSPOT, HUBSPOT.name)
    try:
        loader.commit(con, inspection, user="test")
    finally:
        loader.close(con, inspection)
    lines = answers.lines(answers.after_loading(con))
    assert (
        "Overview: open pipeline, won amount, average deal size — no amount column was mapped; "
        "map one on the import page"
    ) in lines
    assert "Overview: win rate, sales cycle, new customers, customers" in lines
    assert (
        "Satisfaction: NPS, CSAT and CES trend, verbatims — no file gives surveys (score, date); "
        "load one on the import page" in lines
    )


def test_every_declared_input_is_a_canonical_field():
    for need in needs.NEEDS:
        for item in need.inputs():
            assert item.field in F.fields_of(item.table), (need.key, item)


def test_cli_dry_run_and_answers_command(db_path, capsys):
    db = str(db_path)
    assert cli.main(["import", str(HUBSPOT), "--dry-run", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "What these files can answer:" in out
    assert "Overview: open pipeline, won amount, average deal size — map an amount column" in out
    assert cli.main(["import", str(HUBSPOT), "--db", db]) == 0
    capsys.readouterr()
    assert cli.main(["answers", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "What the data loaded can answer:" in out
    assert "no amount column was mapped; map one on the import page" in out
