"""The registry of KPIs: one definition each, read by the tiles, charts, CLI and tests.

Query files return additive counts and sums; every rate is computed here, once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from dashboard.core import needs, queries
from dashboard.core.filters import Filters


def ratio(numerator, denominator):
    """numerator / denominator, None (or NaN in a Series or an array) when the denominator is 0
    or missing. Arrays skip pandas' overhead per operation, for small frames computed often."""
    if isinstance(denominator, pd.Series):
        return numerator / denominator.where(denominator != 0)
    if isinstance(denominator, np.ndarray):
        return numerator / np.where(denominator != 0, denominator, np.nan)
    if denominator is None or pd.isna(denominator) or denominator == 0:
        return None
    return float(numerator) / float(denominator)


def win_rate(won, lost):
    """Won / (won + lost) among closed deals; open deals never count (0–1)."""
    return ratio(won, won + lost)


def wilson_interval(successes, trials, z: float = 1.96):
    """(low, high) Wilson score interval of successes / trials, 95% by default; (None, None)
    (NaN in a Series) with no trials. Unlike p ± z·se it stays within 0–1 and stays honest
    for a handful of deals or a rate near 0% or 100%."""
    if isinstance(trials, pd.Series):
        n = trials.where(trials > 0).astype(float)
    elif trials is None or pd.isna(trials) or trials <= 0:
        return None, None
    else:
        n = float(trials)
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * (p * (1 - p) / n + z2 / (4 * n * n)) ** 0.5 / (1 + z2 / n)
    if isinstance(n, pd.Series):
        return (centre - half).clip(0, 1), (centre + half).clip(0, 1)
    return max(0.0, centre - half), min(1.0, centre + half)


def win_rate_interval(won, lost):
    """The 95% interval of win_rate (Wilson score): how far the rate could be from the truth."""
    return wilson_interval(won, won + lost)


def nps(promoters, detractors, responses):
    """% promoters (9–10) − % detractors (0–6), from −100 to 100."""
    share = ratio(promoters - detractors, responses)
    return None if share is None else 100 * share


def csat(satisfied, responses):
    """% of CSAT responses scoring 4 or 5 on 1–5 (0–100)."""
    share = ratio(satisfied, responses)
    return None if share is None else 100 * share


def ces(score_sum, responses):
    """Mean customer-effort score."""
    return ratio(score_sum, responses)


# 95% margins of error (normal approximation), one each, for the trend, the tiles, the CLI.
Z_95 = 1.96


def _sqrt(value):
    """Square root of a scalar (None stays None) or a Series (NaN stays NaN); a tiny negative
    from floating-point rounding counts as 0."""
    if isinstance(value, pd.Series):
        return np.sqrt(value.clip(lower=0))
    if isinstance(value, np.ndarray):
        return np.sqrt(np.clip(value, 0, None))
    return None if value is None or pd.isna(value) else math.sqrt(max(float(value), 0.0))


def nps_margin(promoters, detractors, responses):
    """±points of NPS at 95%: 1.96·100·√((p + d − (p − d)²)/n), p and d shares (product.md)."""
    p, d = ratio(promoters, responses), ratio(detractors, responses)
    if p is None or d is None:
        return None
    root = _sqrt((p + d - (p - d) ** 2) / responses)
    return None if root is None else Z_95 * 100 * root


def csat_margin(satisfied, responses):
    """±points of CSAT (a share of 0–100) at 95%: 1.96·100·√(s(1 − s)/n)."""
    s = ratio(satisfied, responses)
    if s is None:
        return None
    root = _sqrt(s * (1 - s) / responses)
    return None if root is None else Z_95 * 100 * root


def ces_margin(score_sum, score_squares, responses):
    """± of mean CES at 95%: 1.96·sd/√n with the sample sd (n − 1); undefined below 2 answers."""
    if isinstance(responses, pd.Series):
        n = responses.where(responses >= 2)
    elif isinstance(responses, np.ndarray):
        n = np.where(responses >= 2, responses, np.nan)
    elif responses is None or pd.isna(responses) or responses < 2:
        return None
    else:
        n = float(responses)
    variance = (score_squares - score_sum**2 / n) / (n - 1)
    root = _sqrt(variance / n)
    return None if root is None else Z_95 * root


def difference_margin(margin_before, margin_after):
    """± of the change between two independent estimates: √(m1² + m2²)."""
    if margin_before is None or margin_after is None:
        return None
    return _sqrt(margin_before**2 + margin_after**2)


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    unit: str  # a key of formatting.FORMATTERS
    higher_is_better: bool
    definition: str  # what the number counts, in a manager's words
    basis_key: str  # the count it rests on, shown beside it
    basis_label: str


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure(
            "pipeline_open_amount",
            "Open pipeline",
            "money",
            True,
            "Amount of deals open at the end of the period (created by then, not yet closed).",
            "deals_open",
            "open deals",
        ),
        Measure(
            "won_amount",
            "Won amount",
            "money",
            True,
            "Amount of deals won (closed as won) in the period.",
            "deals_won",
            "won deals",
        ),
        Measure(
            "average_deal_size",
            "Average deal size",
            "money",
            True,
            "Won amount ÷ won deals with an amount, in the period.",
            "deals_won",
            "won deals",
        ),
        Measure(
            "win_rate",
            "Win rate",
            "ratio",
            True,
            "Won ÷ (won + lost) among deals closed in the period; open deals never count.",
            "deals_closed",
            "closed deals",
        ),
        Measure(
            "median_sales_cycle_days",
            "Median sales cycle",
            "days",
            False,
            "Median days from creation to close of deals won in the period.",
            "deals_won",
            "won deals",
        ),
        Measure(
            "new_customers",
            "New customers",
            "count",
            True,
            "Accounts whose first won deal or first order (the earlier) falls in the period.",
            "customers_total",
            "customers in all",
        ),
        Measure(
            "nps",
            "NPS",
            "score",
            True,
            "% promoters (9–10) − % detractors (0–6) among NPS answers in the period.",
            "nps_responses",
            "responses",
        ),
        Measure(
            "csat",
            "CSAT",
            "percent",
            True,
            "% of CSAT answers scoring 4 or 5 (of 5) in the period.",
            "csat_responses",
            "responses",
        ),
        Measure(
            "ces",
            "CES",
            "mean",
            False,
            "Mean customer-effort score (1–7, lower means less effort) in the period.",
            "ces_responses",
            "responses",
        ),
    )
}

OVERVIEW_TILES = (
    "pipeline_open_amount",
    "won_amount",
    "win_rate",
    "median_sales_cycle_days",
    "new_customers",
    "nps",
    "csat",
)


def kpis(cur: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, object]:
    """Every headline number for the filters, keyed as `crm-dashboard kpis` prints them."""
    return kpis_and_survey_counts(cur, filters)[0]


def kpis_and_survey_counts(
    cur: duckdb.DuckDBPyConnection, filters: Filters
) -> tuple[dict[str, object], dict[str, object]]:
    """kpis() and the survey_summary row it was computed from (the NPS and CSAT margins need
    its promoter, detractor and satisfied counts: the overview read it a second time)."""
    params = filters.params()
    deals = queries.run_one(cur, "deal_summary", params)
    customers = queries.run_one(cur, "customer_summary", params)
    surveys = queries.run_one(cur, "survey_summary", params)
    out = {
        "deals_total": deals["deals_total"],
        "deals_open": deals["deals_open"],
        "deals_won": deals["deals_won"],
        "deals_lost": deals["deals_lost"],
        "deals_closed": deals["deals_won"] + deals["deals_lost"],
        "win_rate": win_rate(deals["deals_won"], deals["deals_lost"]),
        "won_amount": _amount(deals["won_amount"], deals["deals_won"]),
        "pipeline_open_amount": _amount(deals["pipeline_open_amount"], deals["deals_open"]),
        "median_sales_cycle_days": deals["median_sales_cycle_days"],
        "closed_deals_without_date": deals["closed_deals_without_date"],
        "customers_total": customers["customers_total"],
        "new_customers": customers["new_customers"],
        "nps": nps(surveys["nps_promoters"], surveys["nps_detractors"], surveys["nps_responses"]),
        "nps_responses": surveys["nps_responses"],
        "csat": csat(surveys["csat_satisfied"], surveys["csat_responses"]),
        "csat_responses": surveys["csat_responses"],
        "ces": ces(surveys["ces_score_sum"], surveys["ces_responses"]),
        "ces_responses": surveys["ces_responses"],
    }
    reasons = needs.no_data_reasons(cur, needs.OVERVIEW, filters)
    for key in reasons:
        out[key] = None  # never mapped: no data, not 0
    counts = deals  # deal_summary also counts the deals that have each input
    # Over the won deals whose amount is known: a deal without one is not a deal of size 0.
    out["average_deal_size"] = (
        None
        if out["won_amount"] is None
        else ratio(out["won_amount"], counts["deals_won_with_amount"])
    )
    out["no_data"] = reasons
    out["coverage"] = _coverage(counts, reasons)
    return out, surveys


def _amount(total, deals):
    """A sum over deals: 0 over no deal (the amount is mapped: see `needs`); None when deals
    exist and none of them has an amount."""
    if not deals:
        return 0.0
    if total is None or pd.isna(total):
        return None
    return float(total)


# measure -> (deals it counts, of them with its input, what the input is, which deals)
COVERAGE = {
    "won_amount": ("deals_won", "deals_won_with_amount", "amount", "won deals"),
    "average_deal_size": ("deals_won", "deals_won_with_amount", "amount", "won deals"),
    "pipeline_open_amount": ("deals_open", "deals_open_with_amount", "amount", "open deals"),
    "median_sales_cycle_days": (
        "deals_won",
        "deals_won_with_cycle",
        "creation and close dates",
        "won deals",
    ),
}


def _coverage(counts: dict, no_data: dict[str, str]) -> dict[str, dict[str, object]]:
    """Measures computed over only some of their deals: "amount known for 40 of 60 won deals"."""
    out = {}
    for key, (total_key, known_key, what, deals) in COVERAGE.items():
        total, known = int(counts[total_key] or 0), int(counts[known_key] or 0)
        if key in no_data or known >= total:
            continue
        out[key] = {
            "known": known,
            "of": total,
            "text": f"{what} known for {known:,} of {total:,} {deals}",
        }
    return out


def closed_deals_by_month(cur: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Monthly won amount and win rate with the counts behind them."""
    frame = queries.run(cur, "closed_deals_by_month", filters.params())
    if "won_amount" in needs.no_data_reasons(cur, needs.OVERVIEW, filters):
        frame["won_amount"] = float("nan")  # never mapped: no bars, not $0 bars
    frame["deals_closed"] = frame["deals_won"] + frame["deals_lost"]
    frame["win_rate"] = win_rate(frame["deals_won"], frame["deals_lost"])
    return frame
