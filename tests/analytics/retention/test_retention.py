"""Retention cohorts: golden triangles worked out by hand, invariants on the sample, the page.

The hand-made company (data ends 2025-05-20, the last order, so May 2025 is in progress):

accounts: A SMB/EMEA/Ann, B SMB/APAC/Bob, C Enterprise/EMEA/Ann, E Enterprise/APAC/Bob,
          F SMB/EMEA/Cy. X, G and Z are customer ids the accounts table does not have (the
          UCI order export looks like this).
orders:   A  2025-01-05 100 | 2025-02-10 50 | 2025-05-20 30
          B  2025-01-20 200 | 2025-03-25 -20 (a return: revenue, but not "ordered") | 2025-04-03 70
          C  2025-01-31 23:59:59 300 | 2025-03-01 00:00:00 300 | 2025-04-20 100
          X  2025-02-03 80 | 2025-03-15 40 | 2025-03-20 10
          E  2025-03-10 0 (free: an order with zero revenue) | 2025-04-12 25
          F  2025-02-14 -15 (a return before any purchase) | 2025-04-09 45
          G  no date, 10          (no account)  2025-03-03 99
deals:    A won 2024-12-20, A won 2025-02-15, C won 2025-03-15, B lost 2025-01-10,
          Z won 2025-02-01 (Z never orders).

Monthly cohorts by first order (first order = first order whose amount is not negative):
Jan A B C, Feb X, Mar E, Apr F (F's February return starts nothing).

Logo retention, "ordered in month k" ([..] = May 2025, in progress):
  cohort  size  k0    k1    k2    k3    k4
  Jan      3    3/3   1/3   1/3   2/3   [1/3]     k1 A; k2 C (B only returned); k3 B C; k4 A
  Feb      1    1/1   1/1   0/1   [0/1]
  Mar      1    1/1   1/1   [0/1]
  Apr      1    1/1   [0/1]
  average       6/6   3/5   1/4   2/3             only complete cells; k4 has none
"Ordered in month k or later" (last active offset: A 4, B 3, C 3, X 1, E 1, F 0):
  Jan 3 3 3 3 [1] · Feb 1 1 0 [0] · Mar 1 1 [0] · Apr 1 [0]; average 6/6 5/5 3/4 3/3
Revenue (cohort revenue in month k):
  Jan 600 50 280 170 [30] · Feb 80 50 0 [0] · Mar 0 25 [0] · Apr 45 [0]
  rates: Jan 1 1/12 7/15 17/60 · Feb 1 5/8 0 · Mar undefined (no revenue in month 0) · Apr 1
  average (size-weighted over defined cohorts): k0 (3+1+1)/5 = 1; k1 (3/12 + 5/8)/4 = 0.21875;
  k2 (3 * 7/15 + 0)/4 = 0.35; k3 17/60.
"""

import base64
import json
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.analytics import kpis as kpi_report
from dashboard.analytics.retention import charts
from dashboard.analytics.retention import data as retention
from dashboard.core import queries
from dashboard.core.filters import SCOPE_KEYS, Filters
from dashboard.core.tiles import delta_shown
from dashboard.store import summaries, warehouse
from tests.conftest import APP, frame, loaded, page

JAN, FEB, MAR, APR, MAY = (date(2025, m, 1) for m in (1, 2, 3, 4, 5))
AS_OF = date(2025, 5, 20)
# Page parameters for tests/core/test_queries.py::test_every_query_runs_on_the_sample (the sample's
# data ends on 31 Oct 2026).
SAMPLE_PAGE_PARAMS = {
    "retention_by_cohort": {"grain": "month", "basis": "first_order", "as_of": date(2026, 10, 31)}
}

ACCOUNTS = frame(
    "account_id segment region owner",
    [
        ("A", "SMB", "EMEA", "Ann"),
        ("B", "SMB", "APAC", "Bob"),
        ("C", "Enterprise", "EMEA", "Ann"),
        ("E", "Enterprise", "APAC", "Bob"),
        ("F", "SMB", "EMEA", "Cy"),
    ],
)
ORDERS = frame(
    "order_id account_id ordered_at amount",
    [
        ("A1", "A", "2025-01-05", 100),
        ("A2", "A", "2025-02-10", 50),
        ("A3", "A", "2025-05-20", 30),
        ("B1", "B", "2025-01-20", 200),
        ("B2", "B", "2025-03-25", -20),
        ("B3", "B", "2025-04-03", 70),
        ("C1", "C", "2025-01-31 23:59:59", 300),
        ("C2", "C", "2025-03-01 00:00:00", 300),
        ("C3", "C", "2025-04-20", 100),
        ("X1", "X", "2025-02-03", 80),
        ("X2", "X", "2025-03-15", 40),
        ("X3", "X", "2025-03-20", 10),
        ("E1", "E", "2025-03-10", 0),
        ("E2", "E", "2025-04-12", 25),
        ("F1", "F", "2025-02-14", -15),
        ("F2", "F", "2025-04-09", 45),
        ("G1", "G", None, 10),
        ("N1", None, "2025-03-03", 99),
    ],
)
DEALS = frame(
    "deal_id account_id status amount created_at closed_at",
    [
        ("DA1", "A", "won", 500, "2024-11-01", "2024-12-20"),
        ("DA2", "A", "won", 100, "2025-01-15", "2025-02-15"),
        ("DC1", "C", "won", 900, "2025-02-01", "2025-03-15"),
        ("DB1", "B", "lost", 400, "2024-12-01", "2025-01-10"),
        ("DZ1", "Z", "won", 50, "2025-01-02", "2025-02-01"),
    ],
)


def load_retention_company(con) -> None:
    warehouse.load_frames(
        con, {"accounts": ACCOUNTS, "orders": ORDERS, "deals": DEALS}, source="test"
    )


@pytest.fixture
def company(con):
    load_retention_company(con)
    return con


def cohort_params(filters: Filters, grain="month", basis="first_order", as_of=AS_OF) -> dict:
    return {**filters.params(), "grain": grain, "basis": basis, "as_of": as_of}


def triangle(cells: pd.DataFrame, column: str) -> dict[tuple[date, int], object]:
    return {
        (pd.Timestamp(r.cohort_start).date(), int(r.period_offset)): getattr(r, column)
        for r in cells.itertuples()
    }


def by_offset(average: pd.DataFrame, column: str) -> list:
    return [getattr(r, column) for r in average.sort_values("period_offset").itertuples()]


# --- golden: the query file -------------------------------------------------------------


def test_retention_by_cohort_rows(company):
    rows = queries.run(company, "retention_by_cohort", cohort_params(Filters()))
    got = [
        (
            f"{r.cohort_start:%Y-%m}",
            r.segment,
            r.period_offset,
            r.is_complete,
            r.cohort_customers,
            r.active_customers,
            r.active_or_later_customers,
            r.revenue,
        )
        for r in rows.itertuples()
    ]
    # (cohort, segment, k, complete, size, ordered in k, ordered in k or later, revenue in k)
    assert got == [
        ("2025-01", "Enterprise", 0, True, 1, 1, 1, 300.0),  # C
        ("2025-01", "Enterprise", 1, True, 1, 0, 1, 0.0),
        ("2025-01", "Enterprise", 2, True, 1, 1, 1, 300.0),  # 1 Mar 00:00:00 is March
        ("2025-01", "Enterprise", 3, True, 1, 1, 1, 100.0),
        ("2025-01", "Enterprise", 4, False, 1, 0, 0, 0.0),  # May: in progress
        ("2025-01", "SMB", 0, True, 2, 2, 2, 300.0),  # A 100 + B 200
        ("2025-01", "SMB", 1, True, 2, 1, 2, 50.0),  # A
        ("2025-01", "SMB", 2, True, 2, 0, 2, -20.0),  # B's return: revenue, not an order
        ("2025-01", "SMB", 3, True, 2, 1, 2, 70.0),  # B
        ("2025-01", "SMB", 4, False, 2, 1, 1, 30.0),  # A, so far
        ("2025-02", "Not in accounts", 0, True, 1, 1, 1, 80.0),  # X
        ("2025-02", "Not in accounts", 1, True, 1, 1, 1, 50.0),  # 40 + 10, one customer
        ("2025-02", "Not in accounts", 2, True, 1, 0, 0, 0.0),
        ("2025-02", "Not in accounts", 3, False, 1, 0, 0, 0.0),
        ("2025-03", "Enterprise", 0, True, 1, 1, 1, 0.0),  # E's free order still counts
        ("2025-03", "Enterprise", 1, True, 1, 1, 1, 25.0),
        ("2025-03", "Enterprise", 2, False, 1, 0, 0, 0.0),
        ("2025-04", "SMB", 0, True, 1, 1, 1, 45.0),  # F; its February return is before
        ("2025-04", "SMB", 1, False, 1, 0, 0, 0.0),
    ]
    assert [f"{d:%Y-%m-%d}" for d in rows["period_end"].head(5)] == [
        "2025-01-31",
        "2025-02-28",
        "2025-03-31",
        "2025-04-30",
        "2025-05-31",
    ]


def test_retention_by_cohort_rejects_unknown_options(company):
    with pytest.raises(Exception, match="grain|basis"):
        queries.run(company, "retention_by_cohort", cohort_params(Filters(), basis="x"))
    with pytest.raises(ValueError, match="grain"):
        retention.cohort_params(Filters(), "day", "first_order", AS_OF)


# --- golden: the triangle, the average row and the options ------------------------------


def test_monthly_logo_triangle_and_average(company):
    view = retention.cohorts(company, Filters(), "month", "first_order", False)
    assert view.as_of == AS_OF
    assert triangle(view.cells, "retained") == {
        (JAN, 0): 3, (JAN, 1): 1, (JAN, 2): 1, (JAN, 3): 2, (JAN, 4): 1,
        (FEB, 0): 1, (FEB, 1): 1, (FEB, 2): 0, (FEB, 3): 0,
        (MAR, 0): 1, (MAR, 1): 1, (MAR, 2): 0,
        (APR, 0): 1, (APR, 1): 0,
    }  # fmt: skip
    sizes = triangle(view.cells[view.cells["period_offset"] == 0], "cohort_customers")
    assert sizes == {(JAN, 0): 3, (FEB, 0): 1, (MAR, 0): 1, (APR, 0): 1}
    in_progress = {k for k, done in triangle(view.cells, "is_complete").items() if not done}
    assert in_progress == {(JAN, 4), (FEB, 3), (MAR, 2), (APR, 1)}  # all May 2025
    assert triangle(view.cells, "logo_rate")[(JAN, 3)] == pytest.approx(2 / 3)
    # Average: complete cells only, weighted by size: 6/6, 3/5, 1/4, 2/3; none at k4.
    assert by_offset(view.average, "period_offset") == [0, 1, 2, 3]
    assert by_offset(view.average, "retained") == [6, 3, 1, 2]
    assert by_offset(view.average, "cohort_customers") == [6, 5, 4, 3]
    assert by_offset(view.average, "logo_rate") == pytest.approx([1, 3 / 5, 1 / 4, 2 / 3])
    assert by_offset(view.average, "cohorts") == [4, 3, 2, 1]
    # Deals go back to Nov 2024, before the first cohort: no "first month of the data" warning.
    assert not any("first month of the data" in n for n in view.notes)


def test_monthly_returned_in_k_or_later(company):
    view = retention.cohorts(company, Filters(), "month", "first_order", True)
    assert triangle(view.cells, "retained") == {
        (JAN, 0): 3, (JAN, 1): 3, (JAN, 2): 3, (JAN, 3): 3, (JAN, 4): 1,
        (FEB, 0): 1, (FEB, 1): 1, (FEB, 2): 0, (FEB, 3): 0,
        (MAR, 0): 1, (MAR, 1): 1, (MAR, 2): 0,
        (APR, 0): 1, (APR, 1): 0,
    }  # fmt: skip
    assert by_offset(view.average, "logo_rate") == pytest.approx([1, 1, 3 / 4, 1])


def test_monthly_revenue_retention(company):
    view = retention.cohorts(company, Filters(), "month", "first_order", False)
    rates = triangle(view.cells, "revenue_rate")
    assert [rates[(JAN, k)] for k in range(5)] == pytest.approx([1, 1 / 12, 7 / 15, 17 / 60, 0.05])
    assert [rates[(FEB, k)] for k in range(4)] == pytest.approx([1, 5 / 8, 0, 0])
    # Mar: E's first order was free, so month-0 revenue is 0: undefined, never inf or an error.
    assert all(math.isnan(rates[(MAR, k)]) for k in range(3))
    assert [rates[(APR, k)] for k in range(2)] == pytest.approx([1, 0])
    assert by_offset(view.average, "revenue_rate") == pytest.approx([1, 0.21875, 0.35, 17 / 60])
    assert by_offset(view.average, "revenue_customers") == [5, 4, 4, 3]  # Mar never counts


def test_segment_curves_and_customers_missing_from_accounts(company):
    view = retention.cohorts(company, Filters(), "month", "first_order", False)
    curves = {
        (r.segment, r.period_offset): (r.retained, r.cohort_customers)
        for r in view.by_segment.itertuples()
    }
    assert curves == {
        # Enterprise: Jan (C) and Mar (E); Mar's k2 is May, in progress.
        ("Enterprise", 0): (2, 2), ("Enterprise", 1): (1, 2),
        ("Enterprise", 2): (1, 1), ("Enterprise", 3): (1, 1),
        # SMB: Jan (A, B) and Apr (F).
        ("SMB", 0): (3, 3), ("SMB", 1): (1, 2), ("SMB", 2): (0, 2), ("SMB", 3): (1, 2),
        # X has orders but no account row: it still counts with no account filter.
        ("Not in accounts", 0): (1, 1), ("Not in accounts", 1): (1, 1),
        ("Not in accounts", 2): (0, 1),
    }  # fmt: skip
    smb = retention.cohorts(company, Filters(segments=("SMB",)), "month", "first_order", False)
    sizes = triangle(smb.cells[smb.cells["period_offset"] == 0], "cohort_customers")
    assert sizes == {(JAN, 0): 2, (APR, 0): 1}  # A B, F; X has no segment so it drops out
    bob = retention.cohorts(company, Filters(owners=("Bob",)), "month", "first_order", False)
    assert triangle(bob.cells, "retained") == {
        (JAN, 0): 1, (JAN, 1): 0, (JAN, 2): 0, (JAN, 3): 1, (JAN, 4): 0,  # B
        (MAR, 0): 1, (MAR, 1): 1, (MAR, 2): 0,  # E
    }  # fmt: skip


def test_period_picks_cohorts_and_later_orders_still_count(company):
    febmar = Filters(date(2025, 2, 1), date(2025, 3, 31))
    view = retention.cohorts(company, febmar, "month", "first_order", False)
    # Only customers whose first order is in Feb-Mar (X, E); their April orders still count.
    assert triangle(view.cells, "retained") == {
        (FEB, 0): 1, (FEB, 1): 1, (FEB, 2): 0, (FEB, 3): 0,
        (MAR, 0): 1, (MAR, 1): 1, (MAR, 2): 0,
    }  # fmt: skip
    assert by_offset(view.average, "logo_rate") == pytest.approx([1, 1, 0])


def test_cohort_by_first_won_deal(company):
    view = retention.cohorts(company, Filters(), "month", "first_won_deal", False)
    dec = date(2024, 12, 1)
    # Dec 2024: A (won 20 Dec, first order in January); Feb: Z (won, never orders);
    # Mar: C (won 15 Mar; its January order came before the win and is not counted).
    assert triangle(view.cells, "retained") == {
        (dec, 0): 0, (dec, 1): 1, (dec, 2): 1, (dec, 3): 0, (dec, 4): 0, (dec, 5): 1,
        (FEB, 0): 0, (FEB, 1): 0, (FEB, 2): 0, (FEB, 3): 0,
        (MAR, 0): 1, (MAR, 1): 1, (MAR, 2): 0,
    }  # fmt: skip
    assert by_offset(view.average, "logo_rate") == pytest.approx([1 / 3, 2 / 3, 1 / 2, 0, 0])
    # Revenue: Dec and Feb had no revenue in month 0 -> undefined; only Mar (300, then 100).
    rates = triangle(view.cells, "revenue_rate")
    assert math.isnan(rates[(dec, 1)]) and math.isnan(rates[(FEB, 0)])
    assert [rates[(MAR, k)] for k in range(3)] == pytest.approx([1, 1 / 3, 0])
    revenue = by_offset(view.average, "revenue_rate")
    assert revenue[:2] == pytest.approx([1, 1 / 3]) and all(math.isnan(r) for r in revenue[2:])
    assert by_offset(view.average, "revenue_customers") == [1, 1, 0, 0, 0]


def test_quarterly_cohorts(company):
    view = retention.cohorts(company, Filters(), "quarter", "first_order", False)
    q1, q2 = date(2025, 1, 1), date(2025, 4, 1)
    # Q1: A B C X E (E's free order counts as an order). Q2 (to 30 Jun) is in progress.
    assert triangle(view.cells, "retained") == {(q1, 0): 5, (q1, 1): 4, (q2, 0): 1}
    assert triangle(view.cells, "is_complete") == {(q1, 0): True, (q1, 1): False, (q2, 0): False}
    # Q1 revenue: A 150 + B 180 + C 600 + X 130 + E 0 = 1,060; Q2 so far 30+70+100+25 = 225.
    assert triangle(view.cells, "revenue") == {(q1, 0): 1060, (q1, 1): 225, (q2, 0): 45}
    assert by_offset(view.average, "logo_rate") == [1.0]  # only Q1 at k0 is complete
    assert any("quarter that holds it is still in progress" in n for n in view.notes)


def test_weekly_cohorts_and_a_period_starting_mid_week(company):
    march = Filters(date(2025, 3, 1), date(2025, 3, 31))  # 1 March 2025 is a Saturday
    view = retention.cohorts(company, march, "week", "first_order", False)
    week = date(2025, 3, 10)  # E, Monday 10 March; its next order (Sat 12 Apr) is week 4
    # Mon 10 Mar to Mon 19 May (the week holding 20 May, in progress) = 10 weeks.
    assert triangle(view.cells, "retained") == {(week, k): int(k in (0, 4)) for k in range(11)}
    assert [k for (_, k), done in triangle(view.cells, "is_complete").items() if not done] == [10]
    assert any("starts on 1 Mar 2025, inside a week" in n for n in view.notes)


def test_left_out_orders_are_counted(company):
    row = queries.run_one(
        company,
        "retention_left_out",
        {"segments": None, "regions": None, "owners": None, "teams": None},
    )
    # G's order has no date; N1 has no customer id.
    assert row == {
        "orders_without_date": 1,
        "customers_without_dated_order": 1,
        "orders_without_customer": 1,
    }
    smb = Filters(segments=("SMB",)).params()
    row = queries.run_one(company, "retention_left_out", {k: smb[k] for k in SCOPE_KEYS})
    assert row == {
        "orders_without_date": 0,
        "customers_without_dated_order": 0,
        "orders_without_customer": 0,
    }
    notes = retention.cohorts(company, Filters()).notes
    assert any("1 orders have no date" in n for n in notes)
    assert any("1 orders have no customer id" in n for n in notes)


# --- golden: churn, gross and net revenue retention -------------------------------------


def period_rows(cur, filters: Filters) -> tuple[dict, dict]:
    """retention_periods' two rows (this period's, the previous period's), without the flag."""
    rows = queries.run(cur, "retention_periods", filters.params())
    assert rows["is_previous"].tolist() == [False, True]
    now, before = rows.drop(columns="is_previous").to_dict("records")
    return now, before


def test_retention_periods(company):
    # Period 1 Mar - 30 Apr (61 days); prior period 30 Dec 2024 - 28 Feb 2025.
    # At start (ordered in the prior period): A 150, B 200, C 300, X 80 = 730 (F only returned).
    # In the period: A nothing; B -20 + 70 = 50; C 300 + 100 = 400; X 50. E is new: never counts.
    # Kept: min(0,150) + min(50,200) + min(400,300) + min(50,80) = 400; all of it: 500.
    period = Filters(date(2025, 3, 1), date(2025, 4, 30))
    row, before = period_rows(company, period)
    assert row == {
        "has_period": True,
        "prior_start_date": pd.Timestamp("2024-12-30"),
        "prior_end_date": pd.Timestamp("2025-02-28"),
        "customers_at_start": 4,
        "customers_retained": 3,
        "revenue_at_start": 730.0,
        "revenue_kept": 400.0,
        "revenue_from_start_customers": 500.0,
        # Per customer at start (x prior, k kept, y this period): A 150/0/0, B 200/50/50,
        # C 300/300/400, X 80/50/50.
        "sum_xx": 158_900.0,  # 22,500 + 40,000 + 90,000 + 6,400
        "sum_kk": 95_000.0,  # 0 + 2,500 + 90,000 + 2,500
        "sum_kx": 104_000.0,  # 0 + 10,000 + 90,000 + 4,000
        "sum_yy": 165_000.0,  # 0 + 2,500 + 160,000 + 2,500
        "sum_yx": 134_000.0,  # 0 + 10,000 + 120,000 + 4,000
        "first_order_date": pd.Timestamp("2025-01-05"),  # A1, the first purchase
    }
    # The previous period (30 Dec - 28 Feb) against its prior one, 30 Oct - 29 Dec 2024: no
    # order falls there, so no one is at start.
    assert (before["prior_start_date"], before["prior_end_date"]) == (
        pd.Timestamp("2024-10-30"),
        pd.Timestamp("2024-12-29"),
    )
    assert before["customers_at_start"] == 0 and before["revenue_at_start"] == 0
    tiles = {t.key: t.value for t in retention.period_retention(company, period).tiles}
    assert tiles == {
        "churn": "25.0%",  # A of 4
        "gross_revenue_retention": "54.8%",  # 400 / 730
        "net_revenue_retention": "68.5%",  # 500 / 730
    }
    enterprise = Filters(period.start_date, period.end_date, segments=("Enterprise",))
    row, _ = period_rows(company, enterprise)
    assert (row["customers_at_start"], row["customers_retained"]) == (1, 1)  # C
    assert (row["revenue_at_start"], row["revenue_kept"], row["revenue_from_start_customers"]) == (
        300.0,
        300.0,
        400.0,
    )
    assert retention.churn_rate(1, 1) == 0 and retention.net_revenue_retention(400, 300) == 4 / 3


def test_retention_periods_cut_inside_months(company):
    # Period 16 Mar - 15 Apr (31 days): every window edge falls inside a month, so those
    # months are read order by order. Prior period 13 Feb - 15 Mar: X2 40, C2 300, E1 0 are
    # purchases (F1 -15 is a return: F is not at start). Followed: X3 10, E2 25 (C3 is 20
    # Apr, after the period). Kept min(10,40) + min(0,300) + min(25,0) = 10 of 340; all 35.
    row, before = period_rows(company, Filters(date(2025, 3, 16), date(2025, 4, 15)))
    assert (row["prior_start_date"], row["prior_end_date"]) == (
        pd.Timestamp("2025-02-13"),
        pd.Timestamp("2025-03-15"),
    )
    assert (row["customers_at_start"], row["customers_retained"]) == (3, 2)
    assert (row["revenue_at_start"], row["revenue_kept"], row["revenue_from_start_customers"]) == (
        340.0,
        10.0,
        35.0,
    )
    # The previous period 13 Feb - 15 Mar against 13 Jan - 12 Feb: B1 200, C1 300, X1 80,
    # A2 50 at start (A1 is 5 Jan); followed C2 300 and X2 40: kept 300 + 40 of 630, all 340.
    assert (before["customers_at_start"], before["customers_retained"]) == (4, 2)
    assert (
        before["revenue_at_start"],
        before["revenue_kept"],
        before["revenue_from_start_customers"],
    ) == (630.0, 340.0, 340.0)


def test_period_retention_needs_a_period_and_customers(company):
    assert retention.period_retention(company, Filters()).tiles == []
    early = retention.period_retention(company, Filters(date(2024, 1, 1), date(2024, 1, 31)))
    assert early.tiles == [] and "No customer ordered in the prior period" in early.note
    row, before = period_rows(company, Filters())
    assert row["has_period"] is False and row["customers_at_start"] == 0
    assert before["has_period"] is False and before["customers_at_start"] == 0


# --- golden: the CLI --------------------------------------------------------------------


def test_kpi_rows(company):
    rows = retention.kpi_rows(company, Filters())
    assert [r["offset"] for r in rows] == list(range(1, 13))
    assert rows[:3] == [
        {"offset": 1, "customers_retained": 3, "cohort_customers": 5, "rate": 0.6},
        {"offset": 2, "customers_retained": 1, "cohort_customers": 4, "rate": 0.25},
        {"offset": 3, "customers_retained": 2, "cohort_customers": 3, "rate": pytest.approx(2 / 3)},
    ]
    # Offset 4 is May for the January cohort, still in progress: no cohort counts yet.
    assert all(r == {"offset": r["offset"], "customers_retained": 0, "cohort_customers": 0,
                     "rate": None} for r in rows[3:])  # fmt: skip
    report = kpi_report.report(company, Filters())
    assert report["retention_by_offset"] == rows
    json.dumps(report["retention_by_offset"])  # JSON-friendly as it is


# --- the UCI shape: an order export and nothing else ------------------------------------


def test_orders_only_export_reads_as_a_triangle(con):
    orders = frame(
        "order_id account_id ordered_at amount",
        [
            ("1", "17850", "2010-12-01 08:26", 15.3),
            ("2", "17850", "2011-01-03 09:00", 22.0),
            ("3", "13047", "2010-12-01 08:34", 54.1),
            ("4", "13047", "2010-12-05 10:00", -54.1),  # C-invoice cancellation
            ("5", "12583", "2011-01-09 12:00", 99.0),
            ("6", "12583", "2011-02-10 12:00", 10.0),
        ],
    )
    warehouse.load_frames(con, {"orders": orders}, source="test")
    view = retention.cohorts(con, Filters(), "month", "first_order", False)
    dec, jan, feb = date(2010, 12, 1), date(2011, 1, 1), date(2011, 2, 1)
    assert view.as_of == date(2011, 2, 10)  # February 2011 is in progress
    assert triangle(view.cells, "retained") == {
        (dec, 0): 2, (dec, 1): 1, (dec, 2): 0,
        (jan, 0): 1, (jan, 1): 1,
    }  # fmt: skip
    assert triangle(view.cells, "revenue")[(dec, 0)] == pytest.approx(15.3)  # 15.3+54.1-54.1
    assert set(view.by_segment["segment"]) == {"Not in accounts"}
    assert any(n.startswith("Dec 2010 is the first month of the data") for n in view.notes)
    assert by_offset(view.average, "logo_rate") == pytest.approx([1, 1 / 2])
    assert retention.cohorts(con, Filters(segments=("SMB",))).cells.empty
    assert feb not in {pd.Timestamp(c).date() for c in view.cells["cohort_start"]}


# --- charts -----------------------------------------------------------------------------


def test_heatmap_marks_the_period_in_progress_and_keeps_revenue_gaps_blank(company):
    view = retention.cohorts(company, Filters(), "month", "first_order", False)
    fig = charts.cohort_heatmap(
        view.cells, view.average, measure="revenue", grain="month", basis="first_order", title="t"
    )
    heat, hatch = fig.data
    z = heat.z
    assert list(fig.layout.yaxis.ticktext) == [
        "All cohorts · weighted",
        "Jan 2025 · 3",
        "Feb 2025 · 1",
        "Mar 2025 · 1",
        "Apr 2025 · 1",
    ]
    assert z[0][1] == pytest.approx(0.21875)  # the average row
    assert math.isnan(z[1][4])  # Jan k4 (May) is in progress: no colour, hatched instead
    assert math.isnan(z[3][0])  # Mar: no month-0 revenue, blank
    assert heat.text[1][4] == "…" and heat.text[3][1] == ""
    assert hatch.name.startswith("In progress") and hatch.fillpattern.shape == "/"
    assert sum(x is None for x in hatch.x) == 4  # the four May cells
    curves = charts.cohort_curves(
        view.cells, view.average, measure="logo", grain="month", basis="first_order", title="t"
    )
    # Cohort lines end before May (in progress): Jan k3, Feb k2, Mar k1, Apr k0.
    ends = [max(t.x) for t in curves.data if t.name == "One cohort each"]
    assert ends == [3, 2, 1, 0]
    assert not any(t.name.startswith("In progress") for t in curves.data)
    segments = charts.segment_curves(
        view.by_segment, view.average, measure="logo", grain="month", basis="first_order", title="t"
    )
    assert [t.name for t in segments.data] == [
        "Enterprise",
        "Not in accounts",
        "SMB",
        "All segments",
    ]


# --- invariants on the sample -----------------------------------------------------------


@pytest.mark.parametrize(
    "invariant",
    [
        # one row per customer
        "select account_id from summary_retention_customers group by all having count(*) > 1",
        # nobody orders before the period of their first order
        "select a.account_id from summary_retention_activity a"
        " join summary_retention_customers c using (account_id)"
        " where a.orders > 0 and a.period_start < cast(date_trunc(a.grain, c.first_order_at)"
        " as date)",
        # every first order shows up as activity in its own period, at every grain
        "select c.account_id, g.grain from summary_retention_customers c"
        " cross join (values ('week'), ('month'), ('quarter')) g(grain)"
        " where c.first_order_at is not null and not exists (select 1 from"
        " summary_retention_activity a where a.account_id = c.account_id and a.grain = g.grain"
        " and a.orders > 0 and a.period_start = cast(date_trunc(g.grain, c.first_order_at)"
        " as date))",
        # each grain adds up to the orders table
        "select grain from summary_retention_activity group by grain having sum(orders) <>"
        " (select count(*) from orders where account_id is not null and ordered_at is not null"
        " and (amount is null or amount >= 0))",
    ],
)
def test_summary_invariants(sample_con, invariant):
    assert sample_con.cursor().execute(invariant).fetchall() == []


RESULT_INVARIANTS = [
    "select * from result where active_customers > active_or_later_customers",
    "select * from result where active_or_later_customers > cohort_customers",
    "select * from result where period_offset = 0 and $basis = 'first_order'"
    " and active_customers <> cohort_customers",  # offset 0 is 100%
    "select * from result where not is_complete and period_start > $as_of",
    "select * from result r join result s using (cohort_start, segment)"
    " where s.period_offset = r.period_offset + 1"
    " and s.active_or_later_customers > r.active_or_later_customers",
]


@pytest.mark.parametrize("grain", list(retention.GRAINS))
@pytest.mark.parametrize("basis", list(retention.BASES))
def test_cohort_invariants_on_the_sample(sample_con, grain, basis):
    cur = sample_con.cursor()
    as_of = retention.data_as_of(cur)
    result = queries.run(cur, "retention_by_cohort", cohort_params(Filters(), grain, basis, as_of))
    assert len(result) > 0
    cur.register("result", result)
    for sql in RESULT_INVARIANTS:
        params = {k: v for k, v in {"basis": basis, "as_of": as_of}.items() if f"${k}" in sql}
        assert cur.execute(sql, params).fetchall() == [], sql
    cur.unregister("result")
    for unbounded in (False, True):
        view = retention.cohorts(cur, Filters(), grain, basis, unbounded)
        rates = pd.concat([view.cells["logo_rate"], view.average["logo_rate"]])
        assert rates.between(0, 1).all()  # every logo rate within 0-1, none missing
        if basis == "first_order":
            assert (view.cells.loc[view.cells["period_offset"] == 0, "logo_rate"] == 1).all()
        revenue = view.cells["revenue_rate"]
        assert not revenue.isin([math.inf, -math.inf]).any()
        assert revenue.isna().equals(view.cells["revenue_at_start"] <= 0)
        assert view.average["cohort_customers"].is_monotonic_decreasing


def test_kpi_rows_on_the_sample(sample_con):
    rows = retention.kpi_rows(sample_con.cursor(), Filters())
    assert [r["offset"] for r in rows] == list(range(1, 13))
    assert all(0 <= r["rate"] <= 1 for r in rows)  # three years of data: all 12 are defined
    assert all(r["customers_retained"] <= r["cohort_customers"] for r in rows)
    sizes = [r["cohort_customers"] for r in rows]
    assert sizes == sorted(sizes, reverse=True)  # fewer cohorts are old enough each month


# --- the page ---------------------------------------------------------------------------


@pytest.fixture
def company_env(app_db):
    return loaded(app_db, load_retention_company)


def open_page(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page("retention.py")).run()
    assert not at.exception
    return at


def figure(at: AppTest, index: int) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def average_row(at: AppTest) -> list[float]:
    """The heatmap's top row (the weighted average), decoding Plotly's typed-array JSON."""
    z = figure(at, 0)["data"][0]["z"]
    if isinstance(z, dict):  # {"dtype": "f8", "bdata": base64, "shape": "rows, columns"}
        columns = int(z["shape"].split(",")[1])
        z = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(-1, columns)
    return list(z[0])


def test_page_shows_period_tiles_triangle_and_curves(company_env):
    at = open_page(**{"from": "2025-03-01", "to": "2025-04-30"})
    assert [t.value for t in at.title] == ["Retention cohorts"]
    # Worked out in test_retention_periods.
    assert {m.label: m.value for m in at.metric} == {
        "Churn": "25.0%",
        "Gross revenue retention": "54.8%",
        "Net revenue retention": "68.5%",
    }
    # Mar-Apr cohorts: Mar (E) and Apr (F); the average row first.
    assert average_row(at)[:2] == [1.0, 1.0]  # k0: 2/2; k1: E in April, 1/1 (F's k1 is May)
    assert "Mar 2025 · 1" in figure(at, 0)["layout"]["yaxis"]["ticktext"]
    assert len(at.get("plotly_chart")) == 2


def test_page_options_change_the_triangle(company_env):
    at = open_page(period="all")
    assert at.metric.len == 0 and any("Pick a period" in c.value for c in at.caption)
    assert average_row(at)[:4] == pytest.approx([1, 0.6, 0.25, 2 / 3])
    at.selectbox(key="ret_rule").set_value(True).run()
    assert average_row(at)[:4] == pytest.approx([1, 1, 0.75, 1])
    at.selectbox(key="ret_measure").set_value("revenue").run()
    assert average_row(at)[:4] == pytest.approx([1, 0.21875, 0.35, 17 / 60])
    at.selectbox(key="ret_grain").set_value("quarter").run()
    assert "Quarters since first order" in json.dumps(figure(at, 0)["layout"]["xaxis"])
    at.toggle(key="ret_split").set_value(True).run()
    names = [t["name"] for t in figure(at, 1)["data"]]
    assert names == ["Enterprise", "Not in accounts", "SMB", "All segments"]
    at.selectbox(key="ret_basis").set_value("first_won_deal").run()
    assert not at.exception
    assert "Quarters since first won deal" in json.dumps(figure(at, 0)["layout"]["xaxis"])


def test_page_explains_an_empty_period(company_env):
    at = open_page(**{"from": "2020-01-01", "to": "2020-12-31"})
    assert any("no cohort there is nothing to follow" in i.value for i in at.info)
    assert len(at.get("plotly_chart")) == 0


def test_an_empty_warehouse_has_no_cohorts_and_no_errors(con):
    # connect() builds missing summary tables, so a new file (or one loaded before these
    # summaries existed) reads as "no data" instead of failing.
    assert retention.cohorts(con, Filters()).cells.empty
    # No orders at all: no one to follow, so null (no data), not 0 of 0 retained.
    assert [r["cohort_customers"] for r in retention.kpi_rows(con, Filters())] == [None] * 12
    con.execute("drop table summary_retention_activity")
    # ... and the retention page's default view, worked out from it (core/served.py)
    assert summaries.build_stale(con) == [
        "summary_retention_activity",
        "summary_served_retention_by_cohort",
        "summary_served_retention_periods",
    ]
    assert summaries.build_stale(con) == []


def test_period_retention_tiles_say_their_cohort_and_change(company):
    # Issue 19, points 2-3. April 2025 (30 days); prior period 2 - 31 Mar: X (X2 40 + X3 10 =
    # 50) and E (E1, a free order: 0) ordered then (B2 is a return, C2 is on 1 Mar). In April
    # E bought 25, X nothing: churn 1 of 2 = 50%, kept min(0,50) + min(25,0) = 0 of 50 (GRR
    # 0%), NRR 25/50 = 50%.
    # The change compares with the customers who ordered 31 Jan - 1 Mar, followed 2 - 31 Mar:
    # A 50, C 300 + 300 = 600, X 80 (F only returned); only X bought in March (50): churn 2 of
    # 3 = 66.7%, GRR = NRR = 50/730 = 6.85%. Orders start 5 Jan, before 31 Jan: a complete
    # cohort, so the change is shown, with what it compares with ("vs 31 Jan 2025 - 1 Mar").
    # Margins (95%, in points):
    #   churn, binomial: 196·√(.5·.5/2 + (2/3)(1/3)/3) = 196·√(.125 + .074074) = 87.45
    #   GRR, delta method: now x = (50, 0), k = (0, 0): R 0, Σd² 0, se 0. Before x = (50,
    #     600, 80), k = (0, 0, 50): R = 50/730 = .068493, Σd² = 2,500 − 2R·4,000 + R²·368,900
    #     = 2,500 − 547.95 + 1,730.63 = 3,682.68, se = √(3·3,682.68/2)/730 = 74.324/730 =
    #     .101814; margin 196·√(0 + .101814²) = 19.96: −6.8 pts is within noise.
    #   NRR: now x = (50, 0), y = (0, 25): R .5, d = (−25, 25), Σd² 1,250, se = √(2·1,250/1)/50
    #     = 1.0; before as GRR (y = k): 196·√(1 + .010366) = 197.01: +43.2 pts within noise.
    view = retention.period_retention(company, Filters(date(2025, 4, 1), date(2025, 4, 30)))
    churn, gross, net = view.tiles
    versus = " · vs 31 Jan 2025 – 1 Mar 2025"
    assert churn.caption == (
        "1 of 2 customers who ordered 2 Mar 2025 – 31 Mar 2025, followed 1 Apr 2025 – 30 Apr "
        "2025" + versus
    )
    assert [t.value for t in view.tiles] == ["50.0%", "0.0%", "50.0%"]
    assert [delta_shown(t) for t in view.tiles] == [
        ("16.7 pts · within noise (±87.5 pts)", "off", "down"),
        ("6.8 pts · within noise (±20.0 pts)", "off", "down"),
        ("43.2 pts · within noise (±197.0 pts)", "off", "up"),
    ]
    assert "Change vs the customers who ordered 31 Jan 2025 – 1 Mar 2025" in view.note
    # May - June: the change would compare with the customers who ordered 30 Dec 2024 - 28
    # Feb 2025, but orders start 5 Jan 2025: all of them were new to the data (on the sample
    # such a first year "retained" 143.9% of net revenue and NRR read "↓ 57.7 pts"). No
    # change, and the tiles and the note say why.
    later = retention.period_retention(company, Filters(date(2025, 5, 1), date(2025, 6, 30)))
    assert [t.delta for t in later.tiles] == [None, None, None]
    assert all(t.caption.endswith("no change: no complete earlier cohort (see below)")
               for t in later.tiles)  # fmt: skip
    assert (
        "No change is shown: orders start on 5 Jan 2025, so the customers who ordered 30 Dec "
        "2024 – 28 Feb 2025 were all new to the data"
    ) in later.note
    # 1 Mar - 30 Apr: the same (the customers of 30 Oct - 29 Dec 2024 are not in the data).
    first = retention.period_retention(company, Filters(date(2025, 3, 1), date(2025, 4, 30)))
    assert [t.delta for t in first.tiles] == [None, None, None]
