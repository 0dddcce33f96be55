"""No data is not zero on every page (issue 17, point 6): a chart, column or tile whose input
no load fed is hidden or "—" with what to map, and an empty state names its true cause.
core/needs.py declares each; these are golden tests on a few hand-made rows.

The hand-made pipeline "Sales": A(1) B(2) Won(3, won); Lost is no step. No stage history, so
an open deal reached its current stage, a won deal every step, a lost deal the first step:

deal stage status created    closed
D1   Won   won    2025-01-01 2025-01-11   reached A B Won; cycle 10 days
D2   Lost  lost   2025-01-02 2025-01-12   reached A
D3   B     open   2025-01-03 -            reached A B
D4   A     open   2025-01-04 -            reached A
Reached: A 4, B 2, Won 1. Went no further: A 2 (D2 lost, D4 open), B 1 (D3).
"""

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dashboard import cli
from dashboard.analytics.competitors import charts as competitor_charts
from dashboard.analytics.competitors import data as competitors
from dashboard.analytics.funnel import charts as funnel_charts
from dashboard.analytics.funnel import data as funnel
from dashboard.analytics.health import config as health_config
from dashboard.analytics.health import metrics, report, scoring
from dashboard.analytics.retention import data as retention
from dashboard.analytics.satisfaction import data as satisfaction
from dashboard.core import needs
from dashboard.core.filters import Filters
from dashboard.store import warehouse
from tests.conftest import frame

Q1 = Filters(date(2025, 1, 1), date(2025, 3, 31))
MAVEN = Path(__file__).parents[1] / "ingest" / "real_exports" / "maven-crm"
NO_AMOUNT = "no amount column was mapped; map one on the import page"
STAGES = frame(
    "pipeline stage stage_order status",
    [
        ("Sales", "A", 1, "open"),
        ("Sales", "B", 2, "open"),
        ("Sales", "Won", 3, "won"),
        ("Sales", "Lost", 4, "lost"),
    ],
)
ROWS = [
    ("D1", "X1", "Sales", "Won", "won", 100, "2025-01-01", "2025-01-11"),
    ("D2", "X1", "Sales", "Lost", "lost", 200, "2025-01-02", "2025-01-12"),
    ("D3", "X2", "Sales", "B", "open", 300, "2025-01-03", None),
    ("D4", "X2", "Sales", "A", "open", 400, "2025-01-04", None),
]
COLUMNS = "deal_id account_id pipeline stage status amount created_at closed_at"


def deals(*dropped: str) -> pd.DataFrame:
    """The four deals without the columns an export lacks (never mapped)."""
    return frame(COLUMNS, ROWS).drop(columns=list(dropped))


def load(con, **tables: pd.DataFrame) -> None:
    warehouse.load_frames(con, {"pipeline_stages": STAGES, **tables}, source="test")


# --- funnel -----------------------------------------------------------------------------


def test_funnel_without_amount_shows_no_dollar_anywhere(con):
    load(con, deals=deals("amount"))
    gaps = funnel.no_data(con, Filters())
    assert gaps["funnel_amount"] == f"No amounts per stage: {NO_AMOUNT}."
    steps = funnel.funnel_steps(con, Filters(), "Sales")
    assert steps["count_reached"].tolist() == [4, 2, 1]
    assert steps["amount_reached"].isna().all()  # was 0, 0, 0: "4 · $0" on the bar
    bars = funnel_charts.funnel_chart(steps, "t").data[0]
    assert bars.text[0] == "<b>4</b><br>100.0% of first"  # was "<b>4</b> · $0<br>..."
    assert not any("$" in t or "· —" in t for t in bars.text), bars.text
    assert not any("Amount" in t for t in bars.hovertext), bars.hovertext
    assert "Amount" not in funnel.funnel_table(steps).columns
    # D2 was lost with no stage history and "Lost" as its stage: its last stage is unknown,
    # listed apart (step 0), not as stopping at A (issue 19).
    assert funnel.dropoff(con, Filters(), "Sales", 0)["deal_id"].tolist() == ["D2"]
    stopped = funnel.dropoff(con, Filters(), "Sales", 1)
    assert sorted(stopped["deal_id"]) == ["D4"]
    caption = funnel.dropoff_caption(stopped, "A (1 deal)")
    assert caption.startswith("Reached A and went no further: 1 deal — 0 lost, 1 still open")
    assert "$" not in caption  # was "2 deals, $0 — ..."
    assert "Amount (USD)" not in funnel.dropoff_table(stopped).columns


def test_funnel_with_amount_keeps_its_amounts(con):
    load(con, deals=deals())
    assert "funnel_amount" not in funnel.no_data(con, Filters())
    steps = funnel.funnel_steps(con, Filters(), "Sales")
    # A: all four, 100 + 200 + 300 + 400 = 1,000; B: D1 + D3 = 400; Won: D1 = 100.
    assert steps["amount_reached"].tolist() == [1000, 400, 100]
    # One decimal at every money step (issue 19): "$1.0K", never "$1K" beside "$1.2K".
    assert funnel.funnel_table(steps)["Amount"].tolist() == ["$1.0K", "$400", "$100"]
    caption = funnel.dropoff_caption(funnel.dropoff(con, Filters(), "Sales", 1), "A (1 deal)")
    assert "1 deal, $400 — 0 lost" in caption  # D4 (D2's last stage is unknown: step 0)


def test_sales_cycle_without_creation_date_says_so_not_no_won_deals(con):
    load(con, deals=deals("created_at"))
    gaps = funnel.no_data(con, Filters())
    cycle = funnel.sales_cycle(con, Filters(), "Sales")
    assert cycle.cycles.empty  # D1 is won, but has no creation date
    why = funnel.sales_cycle_empty(cycle, gaps)
    assert why == (
        "No sales cycle: no creation date column was mapped; map one on the import page."
    )
    assert "No won deals closed" not in why
    # Deals are placed in a period by creation date: none can be, and that is the cause.
    assert funnel.funnel_steps(con, Q1, "Sales").empty
    empty = funnel.funnel_empty("Sales", Q1, gaps)
    assert empty.startswith("No deals placed in a period by creation date: no creation date")
    assert "All time" in empty
    assert funnel.funnel_steps(con, Filters(), "Sales")["count_reached"].tolist() == [4, 2, 1]


def test_sales_cycle_and_time_in_stage_with_their_inputs(con):
    load(con, deals=deals())
    gaps = funnel.no_data(con, Filters())
    cycle = funnel.sales_cycle(con, Filters(), "Sales")
    assert cycle.median_days == 10.0 and funnel.sales_cycle_empty(cycle, gaps) is None
    # A period with no won deal: the old sentence, now true.
    feb = Filters(date(2025, 2, 1), date(2025, 2, 28))
    none = funnel.sales_cycle(con, feb, "Sales")
    said = funnel.sales_cycle_empty(none, gaps, feb, "Sales")
    assert said.startswith(
        "No won Sales deal with a creation and a close date closed in this period"
    )
    assert "Widen the period." in said
    # On All time the same empty cycle never sends the reader to widen the period (issue 19).
    all_time = funnel.sales_cycle_empty(none, gaps, Filters(), "Sales")
    assert "in this period" not in all_time and "Widen" not in all_time
    # No stage history was loaded: time in stage is no data, with what to load.
    stay = funnel.time_in_stage(con, Filters(), "Sales")
    assert stay["count_deals_measured"].sum() == 0
    assert funnel.time_in_stage_empty(stay, gaps) == (
        "No days in each stage: no file gives a stage history (deal, stage, date entered); load "
        "one on the import page."
    )


def test_time_in_stage_with_history_is_drawn(con):
    history = frame(
        "deal_id stage entered_at", [("D3", "A", "2025-01-03"), ("D3", "B", "2025-01-08")]
    )
    load(con, deals=deals(), deal_stage_history=history)
    gaps = funnel.no_data(con, Filters())
    assert "funnel_time_in_stage" not in gaps
    stay = funnel.time_in_stage(con, Filters(), "Sales")
    # D3 entered A on 01-03 and B on 01-08: 5 days in A.
    assert stay.set_index("step_name").at["A", "median_days"] == 5.0
    assert funnel.time_in_stage_empty(stay, gaps) is None


def test_time_in_stage_of_a_pipeline_without_history_names_that_cause(con):
    # Issue 19 point 5: a stage history exists (D3 in Sales), but not for the Renewals deal
    # R1: its "Days in each stage" was an empty chart, or "none moved on in the data loaded".
    stages = pd.concat(
        [STAGES, frame("pipeline stage stage_order status", [("Renewals", "Ask", 1, "open"),
                                                             ("Renewals", "Done", 2, "won")])]
    )  # fmt: skip
    renewal = frame(COLUMNS, [("R1", "X1", "Renewals", "Done", "won", 50, "2025-01-05",
                               "2025-01-20")])  # fmt: skip
    history = frame(
        "deal_id stage entered_at", [("D3", "A", "2025-01-03"), ("D3", "B", "2025-01-08")]
    )
    warehouse.load_frames(
        con,
        {"pipeline_stages": stages, "deals": pd.concat([deals(), renewal]),
         "deal_stage_history": history},
        source="test",
    )  # fmt: skip
    gaps = funnel.no_data(con, Filters())
    assert "funnel_time_in_stage" not in gaps  # a history was loaded
    stay = funnel.time_in_stage(con, Filters(), "Renewals")
    assert stay["count_ever_measured"].tolist() == [0]  # one open step (Ask), nothing measured
    assert funnel.time_in_stage_empty(stay, gaps, Filters(), "Renewals") == (
        "No days in each stage: no Renewals deal has a stage history (the date it entered "
        "each stage), in any period. Load Renewals's stage history on the import page."
    )
    # Sales has its history: a period without D3 is a matter of the period, said so.
    feb = Filters(date(2025, 2, 1), date(2025, 2, 28))
    quiet = funnel.time_in_stage(con, feb, "Sales")
    assert quiet["count_deals_measured"].sum() == 0 and quiet["count_ever_measured"].max() == 1
    said = funnel.time_in_stage_empty(quiet, gaps, feb, "Sales")
    assert "in this period" in said and "Widen the period." in said


# --- competitors ------------------------------------------------------------------------

COMPETITOR_ROWS = frame(
    "deal_id account_id status competitor created_at closed_at",
    [
        ("C1", "X1", "won", "Rival", None, "2025-01-10"),
        ("C2", "X1", "lost", "Rival", None, "2025-01-20"),
        ("C3", "X2", "won", None, None, "2025-02-01"),
        ("C4", "X2", "lost", None, None, "2025-02-05"),
    ],
).drop(columns="created_at")


def test_competitor_amounts_and_cycle_never_mapped_are_dashes(con):
    warehouse.load_frames(con, {"deals": COMPETITOR_ROWS}, source="test")
    view = competitors.positioning(con, Q1)
    assert set(view.no_data) >= {"competitor_amount", "competitor_cycle"}
    assert "competitors" not in view.no_data
    table = competitors.summary_table(view).set_index("Competitor")
    # Rival: C1 won, C2 lost: 1 of 2; none recorded: C3 won, C4 lost: 1 of 2.
    assert table.at["Rival", "Win rate"] == "50.0%"
    # Never mapped: no columns that read "—" all the way down (once $0); the notes say why.
    assert not {"Amount won", "Amount lost", "Median cycle (won)"} & set(table.columns)
    assert f"No amounts won and lost: {NO_AMOUNT}." in view.notes
    assert any(n.startswith("No median cycle: no creation date column") for n in view.notes)
    # The rival chart's row says how often we met it (2 closed deals), no amount needed.
    figure = competitor_charts.positioning_map(view.table, {"Rival": "#000"}, "t", None)
    assert figure.data[0].y[0].endswith("Rival · met on 2 (50.0%)")


def test_no_competitor_column_reads_differently_from_none_recorded(con):
    warehouse.load_frames(con, {"deals": COMPETITOR_ROWS.drop(columns="competitor")}, source="t")
    view = competitors.positioning(con, Q1)
    warning = competitors.coverage_warning(view)
    assert warning.startswith(
        "No win rate per competitor: no competitor column on deals was mapped; map one on the "
        "import page."
    )
    tiles = {t.key: t for t in competitors.tiles(view)}
    assert tiles["coverage"].value == "—"  # was 0.0% "Competitor recorded"
    assert tiles["win_rate_none"].value == "—" and tiles["coverage"].no_data


def test_competitor_column_mapped_but_empty_in_the_period(con):
    older = frame(
        "deal_id account_id status competitor closed_at",
        [("C0", "X1", "lost", "Rival", "2024-06-01")],
    )
    recent = COMPETITOR_ROWS.assign(competitor=None)
    warehouse.load_frames(con, {"deals": pd.concat([older, recent])}, source="test")
    view = competitors.positioning(con, Q1)
    assert "competitors" not in view.no_data  # C0 names one: the column is mapped
    warning = competitors.coverage_warning(view)
    assert warning.startswith("None of the 4 closed deals in this period records a competitor")
    assert "column is mapped" in warning
    assert competitors.tiles(view)[0].value == "0.0%"  # a real 0: none of 4 named one


def test_competitors_without_close_date_name_it_not_an_empty_period(con):
    undated = COMPETITOR_ROWS.drop(columns="closed_at")
    warehouse.load_frames(con, {"deals": undated}, source="test")
    view = competitors.positioning(con, Q1)
    assert view.closed == 0
    empty = competitors.empty_state(view, Q1)
    assert empty.startswith("No deals placed in a period by close date: no close date column")
    assert competitors.positioning(con, Filters()).closed == 4  # all time: every closed deal


# --- satisfaction and retention ---------------------------------------------------------

SURVEY_WHY = "no file gives surveys (score, date); load one on the import page"
ORDER_WHY = "no file gives orders (customer, date, amount); load one on the import page"


def test_satisfaction_without_surveys_says_what_to_load(con):
    load(con, deals=deals())
    gaps = satisfaction.no_data(con, Filters())
    assert gaps["satisfaction"] == f"No NPS, CSAT and CES trend: {SURVEY_WHY}."
    assert gaps["verbatims"].startswith("No verbatims: no file gives surveys")
    tiles = satisfaction.headline(con, Filters()).tiles
    assert [t.value for t in tiles] == ["—", "—", "—"]
    assert all(t.caption == f"No data: {SURVEY_WHY}." for t in tiles)  # was "0 answers"


def test_satisfaction_with_surveys_has_no_gap(con):
    surveys = frame(
        "response_id account_id responded_at survey_type score comment",
        [("N1", "X1", "2025-02-01", "nps", 10, "great"), ("N2", "X2", "2025-02-02", "nps", 3, "")],
    )
    load(con, deals=deals(), surveys=surveys)
    gaps = satisfaction.no_data(con, Filters())
    assert "satisfaction" not in gaps and "verbatims" not in gaps
    assert "satisfaction_behaviour" in gaps  # no orders to follow the answers to
    nps = next(t for t in satisfaction.headline(con, Filters()).tiles if t.key == "nps")
    assert nps.value == "0" and nps.no_data is None  # (1 promoter - 1 detractor) / 2: a real 0


def test_retention_without_orders_says_what_to_load(con):
    load(con, deals=deals())
    gaps = retention.no_data(con, Filters())
    assert retention.empty_state(gaps, "logo") == f"No customer cohorts: {ORDER_WHY}."
    period = retention.period_retention(con, Q1)
    assert period.tiles == [] and period.note == f"No churn or revenue retention: {ORDER_WHY}."
    rows = retention.kpi_rows(con, Filters())
    assert rows[0] == {"offset": 1, "customers_retained": None, "cohort_customers": None,
                       "rate": None}  # fmt: skip


def test_retention_orders_without_amount_blank_revenue_only(con):
    orders = frame(
        "order_id account_id ordered_at", [("O1", "X1", "2025-01-05"), ("O2", "X1", "2025-02-05")]
    )
    load(con, deals=deals(), orders=orders)
    gaps = retention.no_data(con, Filters())
    assert "retention" not in gaps and retention.empty_state(gaps, "logo") is None
    assert retention.empty_state(gaps, "revenue") == (
        "No revenue retention: no order amount column was mapped; map one on the import "
        "page. Show customers (logo retention) instead."
    )


# --- health -----------------------------------------------------------------------------


def test_health_without_an_accounts_file_is_no_data_everywhere(con):
    load(con, deals=deals())  # deals name accounts X1, X2, but no accounts file was loaded
    why = metrics.unfed(con)
    assert set(why) == set(metrics.METRICS)  # win rate too: health counts per account
    assert (
        why["win_rate"]
        == "no file gives accounts (segment, industry, region, owner); load one on the import page"
    )
    preset = health_config.load()[health_config.DEFAULT_PRESET]
    result = scoring.score(preset, metrics.scope_values(con, Filters()))
    assert result.overall is None and report.never_fed(result, why)
    said = report.headline(result, preset, why)
    assert said.startswith(
        "No part has data whatever the filters: no file gives accounts (segment, industry, "
        "region, owner) and no "
    )
    assert said.endswith("; load and map them on the import page.")  # one fix, at the end
    assert said.count(":") == 1 and said.count("no file gives accounts") == 1
    overall = report.tiles(result, None, preset, Filters())[0]
    assert (overall.value, overall.caption) == ("—", "no data · no part has data")


def test_health_overall_says_how_many_parts_it_rests_on():
    preset = health_config.load()[health_config.DEFAULT_PRESET]
    # Only customers with 2+ products known: 20% is its floor, so 0 points in Customization.
    result = scoring.score(preset, {"multi_product_share": 20.0})
    overall = report.tiles(result, None, preset, Filters())[0]
    assert overall.value == "0"
    assert overall.caption == "weak · mean of the 1 of 4 parts with data"


def test_maven_four_files_health_and_kpis(db_path, capsys):
    files = [str(p) for p in sorted(MAVEN.glob("*.csv"))]
    assert cli.main(["import", *files, "--db", str(db_path)]) == 0
    capsys.readouterr()
    con = warehouse.connect(db_path)
    out = report.kpi_rows(con, Filters())
    parts = {p["name"]: p for p in out["parts"]}
    # No activities, no lead source, no region/owner on accounts: those parts are no data.
    for name in ("Customer", "Conversation", "Collaboration"):
        assert parts[name]["score"] is None, name
        assert all(m["points"] is None for m in parts[name]["metrics"])
    # Customization: 1 of 5 customers (Cancity: GTX Basic and MG Special) bought 2+ products:
    # 20%, its floor, so 0 points: a real 0, the only part with data.
    product = parts["Customization"]["metrics"][0]
    assert (product["name"], product["value"], product["points"]) == (
        "multi_product_share",
        pytest.approx(20.0),
        0.0,
    )
    assert out["overall"] == 0.0
    for metric in ("touched_90d", "personalized_share", "partner_sourced_share"):
        assert metric in out["no_data"], metric
    # The pages: funnel amounts known (close_value), competitors column never mapped.
    assert "funnel_amount" not in funnel.no_data(con, Filters())
    assert "competitors" in competitors.no_data(con)
    assert "retention" in retention.no_data(con, Filters())
    con.close()


def test_the_sample_has_no_gap_on_any_page(sample_con):
    """The full sample feeds every page: no chart is hidden, every number shows."""
    for page in (needs.FUNNEL, needs.RETENTION, needs.SATISFACTION, needs.COMPETITORS):
        assert needs.page_notes(sample_con, page) == {}, page
    assert metrics.unfed(sample_con) == {}
    pipeline = funnel.default_pipeline(sample_con, Filters())
    steps = funnel.funnel_steps(sample_con, Filters(), pipeline)
    assert steps["amount_reached"].notna().all() and "Amount" in funnel.funnel_table(steps)
    view = competitors.positioning(sample_con, Filters())
    assert view.table["won_amount"].notna().all() and competitors.coverage_warning(view) is None
    assert all(t.value != "—" for t in satisfaction.headline(sample_con, Filters()).tiles)


# --- overview trend ---------------------------------------------------------------------


def test_overview_trend_without_amount_draws_the_win_rate_alone(con):
    from dashboard.analytics.overview import charts as overview_charts
    from dashboard.analytics.overview import data as overview_data
    from dashboard.core import measures

    load(con, deals=deals("amount"))
    trend = measures.closed_deals_by_month(con, Filters())
    # January 2025: D1 won, D2 lost -> 1 of 2; no amount known (was 0.0: a $0 bar).
    assert trend["won_amount"].isna().all() and trend["win_rate"].tolist() == [0.5]
    figure = overview_charts.won_trend_chart(trend, "t")
    assert [t.name for t in figure.data] == ["Win rate"]  # no bars on an empty $ axis
    assert figure.layout.yaxis.tickformat == ".0%"
    assert overview_data.trend_title(trend, "all") == "Win rate by month · all"
    load(con, deals=deals())
    assert measures.closed_deals_by_month(con, Filters())["won_amount"].tolist() == [100.0]
