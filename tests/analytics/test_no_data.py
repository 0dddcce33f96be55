"""No data is not zero (issue 17, point 6): a measure whose input no load fed is null in
`kpis` and "—" on the tiles with what to map; health metrics without inputs are no data."""

from pathlib import Path

import pandas as pd
import pytest

from dashboard.analytics import kpis
from dashboard.analytics.health import config as health_config
from dashboard.analytics.health import metrics, report, scoring
from dashboard.analytics.overview import data as overview
from dashboard.core import measures, needs, queries
from dashboard.core.filters import SCOPE_KEYS, Filters
from dashboard.ingest import loader
from dashboard.store import warehouse
from tests.conftest import frame
from tests.golden_data import load_golden

HUBSPOT = (
    Path(__file__).parents[1]
    / "ingest"
    / "real_exports"
    / "hubspot-no-amount"
    / "hubspot-crm-exports-all-deals-2024-08-27.csv"
)
AMOUNT_WHY = "no amount column was mapped; map one on the import page"

# Sales cycle of the fixture's three won deals (close dates at midnight):
#   9871001 2024-01-10 09:12 -> 2024-03-28: 21 + 29 + 28 = 78 days - 9h12m = 77.6167
#   9871002 2024-02-01 10:00 -> 2024-04-02: 29 + 32     = 61 days - 10h   = 60.5833
#   9871006 2024-03-15 11:11 -> 2024-05-10: 31 + 25     = 56 days - 11h11m = 55.5340
# median = 61 - 10/24 = 60.58333...
HUBSPOT_CYCLE = 61 - 10 / 24


def import_file(con, path: Path, overrides=None) -> int:
    inspection = loader.inspect(con, path, path.name, overrides=overrides)
    try:
        return loader.commit(con, inspection, user="test").load_id
    finally:
        loader.close(con, inspection)


def test_hubspot_without_amount_gives_null_amounts_not_zero(con):
    import_file(con, HUBSPOT)
    out = measures.kpis(con, Filters())
    # 3 won (two Closed Won, one closedwon), 1 lost, 2 open; no amount column at all.
    assert (out["deals_won"], out["deals_lost"], out["deals_open"]) == (3, 1, 2)
    assert out["won_amount"] is None  # was 0.0
    assert out["pipeline_open_amount"] is None  # was 0.0
    assert out["average_deal_size"] is None
    assert out["no_data"]["won_amount"] == AMOUNT_WHY
    assert out["no_data"]["pipeline_open_amount"] == AMOUNT_WHY
    assert out["median_sales_cycle_days"] == pytest.approx(HUBSPOT_CYCLE)
    assert out["win_rate"] == pytest.approx(3 / 4)
    assert "win_rate" not in out["no_data"] and "median_sales_cycle_days" not in out["no_data"]


def test_hubspot_without_created_at_gives_null_sales_cycle(con):
    import_file(con, HUBSPOT, {"created_at": ""})
    out = measures.kpis(con, Filters())
    assert out["median_sales_cycle_days"] is None
    assert "creation date" in out["no_data"]["median_sales_cycle_days"]


def test_tiles_show_a_dash_and_what_to_map(con):
    import_file(con, HUBSPOT)
    tiles = {t.key: t for t in overview.kpi_summary(con, Filters()).tiles}
    assert tiles["won_amount"].value == "—" and tiles["pipeline_open_amount"].value == "—"
    assert tiles["won_amount"].no_data == AMOUNT_WHY
    assert AMOUNT_WHY in tiles["won_amount"].caption
    assert tiles["win_rate"].value == "75.0%" and tiles["win_rate"].no_data is None
    notes = overview.kpi_summary(con, Filters()).notes
    assert any(AMOUNT_WHY in n for n in notes)  # the trend's won amount bars


def test_kpis_report_json_has_nulls(con):
    import_file(con, HUBSPOT)
    out = kpis.report(con, Filters())
    assert out["won_amount"] is None and out["no_data"]["won_amount"] == AMOUNT_WHY


def test_deals_without_accounts_give_no_customers_not_zero(con):
    deals = frame(
        "deal_id status amount created_at closed_at",
        [
            ("D1", "won", 100, "2025-01-01", "2025-01-11"),
            ("D2", "won", 200, "2025-01-01", "2025-01-21"),
            ("D3", "won", 300, "2025-01-01", "2025-01-31"),
            ("D4", "won", 400, "2025-01-01", "2025-02-10"),
        ],
    )
    warehouse.load_frames(con, {"deals": deals}, source="test")
    out = measures.kpis(con, Filters())
    assert out["deals_won"] == 4
    assert out["new_customers"] is None and out["customers_total"] is None  # was 0 and 0
    assert "account" in out["no_data"]["new_customers"]
    # 100 + 200 + 300 + 400 = 1,000 won; average 250; cycles 10, 20, 30, 40 -> median 25.
    assert out["won_amount"] == 1000.0 and out["average_deal_size"] == 250.0
    assert out["median_sales_cycle_days"] == 25.0
    tiles = {t.key: t for t in overview.kpi_summary(con, Filters()).tiles}
    assert tiles["new_customers"].value == "—"


def test_some_loads_without_amount_compute_over_what_exists_with_coverage(con):
    with_amount = frame(
        "deal_id account_id status amount created_at closed_at",
        [
            ("D1", "A1", "won", 100, "2025-01-01", "2025-01-11"),
            ("D2", "A1", "won", 300, "2025-01-01", "2025-01-21"),
            ("D3", "A2", "open", 50, "2025-01-01", None),
        ],
    )
    without_amount = frame(
        "deal_id account_id status created_at closed_at",
        [
            ("D4", "A2", "won", "2025-01-01", "2025-01-31"),
            ("D5", "A3", "won", "2025-01-01", "2025-02-10"),
            ("D6", "A3", "open", "2025-01-01", None),
        ],
    )
    warehouse.load_frames(con, {"deals": with_amount}, source="test")
    warehouse.load_frames(con, {"deals": without_amount}, source="test")
    out = measures.kpis(con, Filters())
    # Won amount over the 2 won deals with an amount: 100 + 300 = 400; average 400 / 2 = 200.
    assert out["won_amount"] == 400.0 and out["average_deal_size"] == 200.0
    assert out["pipeline_open_amount"] == 50.0  # D3 only; D6 has no amount
    assert out["coverage"]["won_amount"] == {
        "known": 2,
        "of": 4,
        "text": "amount known for 2 of 4 won deals",
    }
    assert out["coverage"]["pipeline_open_amount"]["text"] == "amount known for 1 of 2 open deals"
    assert "won_amount" not in out["no_data"]
    tiles = {t.key: t for t in overview.kpi_summary(con, Filters()).tiles}
    assert "amount known for 2 of 4 won deals" in tiles["won_amount"].caption


def test_a_period_whose_won_deals_lack_amounts_is_null_not_zero(con):
    deals = frame(
        "deal_id account_id status amount created_at closed_at",
        [
            ("D1", "A1", "won", 100, "2025-01-01", "2025-01-11"),
            ("D2", "A1", "won", None, "2025-02-01", "2025-03-11"),
        ],
    )
    warehouse.load_frames(con, {"deals": deals}, source="test")
    march = Filters(pd.Timestamp("2025-03-01").date(), pd.Timestamp("2025-03-31").date())
    out = measures.kpis(con, march)
    assert out["deals_won"] == 1 and out["won_amount"] is None  # D2 has no amount: not $0
    assert out["coverage"]["won_amount"]["text"] == "amount known for 0 of 1 won deals"


def test_health_metrics_without_inputs_are_no_data_not_zero(con):
    load_golden(con)  # accounts, deals, orders, surveys; no activities, no competitor
    values = metrics.scope_values(con, Filters())
    # No activities: 0 touched accounts of 3 would read as 0% "weak"; it is no data.
    for key in ("touched_90d", "touches_per_account_month", "multi_department_90d"):
        assert values[key] is None, key
    assert values["loss_to_competitor_share"] is None  # no competitor: not 0% lost to one
    assert values["profile_complete"] is None  # industry never loaded
    # With data: NPS all time 3 promoters (10, 9, 10), 2 detractors (3, 6) of 6 -> 16.7.
    assert values["nps"] == pytest.approx(100 / 6)
    why = metrics.unfed(con)
    assert (
        why["touched_90d"]
        == "no file gives activities (account, date); load one on the import page"
    )
    preset = health_config.load()[health_config.DEFAULT_PRESET]
    result = scoring.score(preset, values)
    for part in result.parts:
        for m in part.metrics:
            if m.metric in why:
                assert m.points is None  # left out, never 0 points
    notes = [n for p in result.parts for n in report.missing_notes(p, why)]
    assert any(
        "no file gives activities (account, date); load one on the import page" in n for n in notes
    )
    assert report.kpi_rows(con, Filters())["no_data"]


def test_survey_coverage_without_surveys_is_no_data(con):
    accounts = frame("account_id segment", [("A1", "SMB"), ("A2", "SMB")])
    warehouse.load_frames(con, {"accounts": accounts}, source="test")
    values = metrics.scope_values(con, Filters())
    assert values["survey_coverage"] is None  # was 0.0 (0 of 2 accounts)
    assert values["segment_coverage"] == 100.0  # fed: both accounts have one
    data = metrics.health_data(con, Filters())
    assert data.overall["survey_coverage"] is None
    assert data.accounts["survey_coverage"].isna().all()
    assert "survey" in data.no_data["survey_coverage"]


def test_the_sample_gives_every_kpi(sample_con):
    out = measures.kpis(sample_con, Filters())
    assert out["no_data"] == {}
    for key in (*measures.OVERVIEW_TILES, "average_deal_size", "customers_total", "ces"):
        assert out[key] is not None, key
    assert metrics.unfed(sample_con) == {}
    values = metrics.scope_values(sample_con, Filters())
    for key, value in values.items():
        if key != "logo_retention":  # needs a period start, by definition
            assert value is not None, key


def test_every_declared_input_is_counted_by_the_query(con):
    counted = set(needs.fed_in_warehouse(con))
    declared = {(i.table, i.field) for n in needs.NEEDS for i in n.inputs()}
    assert declared <= counted, declared - counted
    # The grant alone: a manager learns nothing outside it (tests/core/test_access_scope).
    assert queries.parameters("measure_inputs") == frozenset(SCOPE_KEYS)


def test_every_overview_tile_and_health_metric_is_declared():
    keys = {n.key for n in needs.NEEDS}
    assert set(measures.OVERVIEW_TILES) <= keys
    assert set(metrics.METRICS) - {"nps", "csat", "win_rate"} <= keys
