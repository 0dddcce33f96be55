"""Golden tests: every query file on hand-made rows (tests/golden_data.py), answers by hand."""

import re
from datetime import date
from pathlib import Path

import pytest

from dashboard.core import measures, queries
from dashboard.core.filters import Filters
from tests.golden_data import load_golden

Q1 = Filters(date(2025, 1, 1), date(2025, 3, 31))


@pytest.fixture
def golden(con):
    load_golden(con)
    return con


def test_deal_summary_in_period(golden):
    row = queries.run_one(golden, "deal_summary", Q1.params())
    assert row == {
        "deals_total": 4,  # created in Q1: D2 (Jan 10), D3 (Feb 1), D5 (Mar 1), D4 (Mar 15)
        "deals_open": 2,  # open on Mar 31: D4 (still open), D5 (closed later, Apr 15)
        "pipeline_open_amount": 2700.0,  # 2000 + 700
        "deals_won": 2,  # closed won in Q1: D1 (Jan 31), D3 (Mar 3); D5 closed in April
        "deals_lost": 1,  # D2 (Feb 10); D6 closed in 2024
        "won_amount": 4000.0,  # 1000 + 3000
        "median_sales_cycle_days": 45.5,  # D1 61 days, D3 30 days -> (61 + 30) / 2
        "closed_deals_without_date": 1,  # D7 is won but has no close date
        "deals_open_with_amount": 2,  # D4 and D5 both have an amount
        "deals_won_with_amount": 2,  # D1 and D3 both have an amount
        "deals_won_with_cycle": 2,  # D1 and D3 both have both dates
    }


def test_deal_summary_all_time_counts_undated_rows(golden):
    row = queries.run_one(golden, "deal_summary", Filters().params())
    assert row["deals_total"] == 7  # every deal, D7 without dates included
    assert (row["deals_open"], row["pipeline_open_amount"]) == (1, 2000.0)  # D4 only
    assert (row["deals_won"], row["deals_lost"]) == (4, 2)  # D1 D3 D5 D7 / D2 D6
    assert row["won_amount"] == 4800.0  # 1000 + 3000 + 700 + 100
    assert row["median_sales_cycle_days"] == 45.0  # cycles 30, 45, 61 (D7 has none) -> 45


def test_deal_summary_segment_and_owner_scope(golden):
    enterprise = Filters(Q1.start_date, Q1.end_date, segments=("Enterprise",))
    row = queries.run_one(golden, "deal_summary", enterprise.params())
    # A1's deals only (D1 D2 D5); D7's account is unknown so it has no segment.
    assert (row["deals_total"], row["deals_open"], row["pipeline_open_amount"]) == (2, 1, 700.0)
    assert (row["deals_won"], row["deals_lost"], row["won_amount"]) == (1, 1, 1000.0)
    assert row["median_sales_cycle_days"] == 61.0
    assert row["closed_deals_without_date"] == 0

    bob = Filters(Q1.start_date, Q1.end_date, owners=("Bob",))
    row = queries.run_one(golden, "deal_summary", bob.params())
    # D3, D4, D6: created in Q1 D3 D4; open at end D4; won D3 (30 days); nothing lost in Q1.
    assert (row["deals_total"], row["deals_open"], row["deals_won"], row["deals_lost"]) == (
        2,
        1,
        1,
        0,
    )
    assert row["median_sales_cycle_days"] == 30.0


def test_customer_summary(golden):
    # First dates: A1 2025-01-31 (D1), A2 2024-11-15 (O1 before D3), A3 2025-02-20 (O2),
    # ZZ unknown (D7 has no close date).
    assert queries.run_one(golden, "customer_summary", Q1.params()) == {
        "customers_total": 3,  # A1 A2 A3 were customers by Mar 31; ZZ has no date
        "new_customers": 2,  # A1 and A3 became customers in Q1
    }
    assert queries.run_one(golden, "customer_summary", Filters().params()) == {
        "customers_total": 4,
        "new_customers": 4,
    }  # no period: every customer, ZZ included
    bob = Filters(Q1.start_date, Q1.end_date, owners=("Bob",))  # account owner: A2
    assert queries.run_one(golden, "customer_summary", bob.params()) == {
        "customers_total": 1,
        "new_customers": 0,
    }


def test_survey_summary(golden):
    row = queries.run_one(golden, "survey_summary", Q1.params())
    # NPS in Q1: 10 9 7 3 6 (S4 at 23:59:59 on Mar 31 is inside, S6 is outside, S7 unscored).
    # CSAT: 5 4 2 3 -> 2 of 4 satisfied. CES: 2 and 4.
    assert row == {
        "nps_responses": 5,
        "nps_promoters": 2,
        "nps_detractors": 2,
        "csat_responses": 4,
        "csat_satisfied": 2,
        "ces_responses": 2,
        "ces_score_sum": 6.0,
    }
    enterprise = Filters(Q1.start_date, Q1.end_date, segments=("Enterprise",))
    row = queries.run_one(golden, "survey_summary", enterprise.params())
    assert (row["nps_responses"], row["nps_promoters"], row["nps_detractors"]) == (4, 2, 1)
    assert (row["csat_responses"], row["csat_satisfied"], row["ces_responses"]) == (3, 2, 0)


def test_closed_deals_by_month(golden):
    frame = queries.run(golden, "closed_deals_by_month", Q1.params())
    rows = [
        (f"{r.month_start:%Y-%m-%d}", r.deals_won, r.deals_lost, r.won_amount)
        for r in frame.itertuples()
    ]
    assert rows == [
        ("2025-01-01", 1, 0, 1000.0),  # D1
        ("2025-02-01", 0, 1, 0.0),  # D2 lost
        ("2025-03-01", 1, 0, 3000.0),  # D3; D5 closed in April
    ]
    all_time = queries.run(golden, "closed_deals_by_month", Filters().params())
    # D6 in July 2024 and D5 in April 2025 join; D7 has no close date, so no month.
    assert [f"{m:%Y-%m-%d}" for m in all_time["month_start"]] == [
        "2024-07-01",
        "2025-01-01",
        "2025-02-01",
        "2025-03-01",
        "2025-04-01",
    ]


def test_filter_options(golden):
    frame = queries.run(golden, "filter_options", Filters().scope_params())
    assert list(frame.itertuples(index=False, name=None)) == [
        ("owner", "Ann"),
        ("owner", "Bob"),
        ("owner", "Cy"),
        ("region", "APAC"),
        ("region", "EMEA"),
        ("segment", "Enterprise"),
        ("segment", "SMB"),  # A4's blank segment is not offered
    ]


def test_data_date_range(golden):
    row = queries.run_one(golden, "data_date_range", {})
    # Earliest: D6 created 2024-06-01; latest: D5 closed 2025-04-15.
    assert (str(row["first_date"])[:10], str(row["last_date"])[:10]) == ("2024-06-01", "2025-04-15")


def test_kpis_turn_counts_into_rates(golden):
    k = measures.kpis(golden, Q1)
    assert k["win_rate"] == pytest.approx(2 / 3)  # 2 won, 1 lost
    assert k["nps"] == 0.0  # (2 promoters - 2 detractors) / 5
    assert k["csat"] == 50.0  # 2 of 4
    assert k["ces"] == 3.0  # (2 + 4) / 2
    all_time = measures.kpis(golden, Filters())
    assert all_time["nps"] == pytest.approx(100 * (3 - 2) / 6)  # S6 joins: 16.7
    assert all_time["win_rate"] == pytest.approx(4 / 6)


def test_every_query_has_a_golden_test():
    """A query file counts as golden-tested when a test file (tests/**/test_*.py) names it as a
    string literal in a queries.run(...) or queries.run_one(...) call."""
    text = "".join(p.read_text() for p in Path(__file__).parents[1].rglob("test_*.py"))
    named = set(re.findall(r'queries\.run(?:_one)?\(\s*[\w.()]+,\s*"(\w+)"', text))
    assert set(queries.available()) <= named, sorted(set(queries.available()) - named)


def test_survey_summary_reads_a_ten_point_csat_load_by_its_own_top_two_boxes(con):
    from dashboard.store import warehouse
    from tests.conftest import frame

    ten_point = frame(
        "response_id account_id responded_at survey_type score",
        [
            ("T1", "A1", "2025-01-05", "csat", 10),
            ("T2", "A1", "2025-01-06", "csat", 9),
            ("T3", "A1", "2025-01-07", "csat", 8),
            ("T4", "A1", "2025-01-08", "csat", 4),
        ],
    )
    warehouse.load_frames(con, {"surveys": ten_point}, source="test")
    row = queries.run_one(con, "survey_summary", Filters().params())
    # This load reaches 10, so it is on 1-10: 10 and 9 are satisfied, 8 and 4 are not (2 of 4).
    assert (row["csat_responses"], row["csat_satisfied"]) == (4, 2)
