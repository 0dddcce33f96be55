"""Metric values for the health scores, from one per-account query (queries/health_accounts.sql).

The query returns additive counts per account; a metric is a ratio of two sums, so the same
definitions give the value for the whole scope, a segment, one account or one month.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
import pandas as pd

from dashboard.core import coverage, measures, needs, queries
from dashboard.core.filters import SCOPE_KEYS, Filters

Sums = Mapping[str, float]
DAYS_PER_MONTH = 30.44


def _share(numerator: str, denominator: str) -> Callable[[Sums, float], float | None]:
    def value(sums: Sums, months: float) -> float | None:
        share = measures.ratio(sums[numerator], sums[denominator])
        return None if share is None else 100 * share

    return value


def _win_rate(won: str, lost: str) -> Callable[[Sums, float], float | None]:
    def value(sums: Sums, months: float) -> float | None:
        rate = measures.win_rate(sums[won], sums[lost])
        return None if rate is None else 100 * rate

    return value


def _touches_per_month(sums: Sums, months: float) -> float | None:
    per_account = measures.ratio(sums["touches"], sums["is_active"])
    return None if per_account is None or not months else per_account / months


def _per_active(column: str) -> Callable[[Sums, float], float | None]:
    return lambda sums, months: measures.ratio(sums[column], sums["is_active"])


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str  # a key of formatting.FORMATTERS
    definition: str
    compute: Callable[[Sums, float], float | None]


METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        Metric(
            "profile_complete",
            "Complete profiles",
            "percent",
            "Share of accounts with segment, industry, region and owner filled in.",
            _share("is_complete", "accounts"),
        ),
        Metric(
            "segment_coverage",
            "Accounts with a segment",
            "percent",
            "Share of accounts whose segment is known.",
            _share("has_segment", "accounts"),
        ),
        Metric(
            "data_quality",
            "Data quality",
            "percent",
            "Share of accounts complete, loaded once (not duplicated) and fresh (touched in "
            "the 365 days before the period ends).",
            _share("is_quality", "accounts"),
        ),
        Metric(
            "logo_retention",
            "Logo retention",
            "percent",
            "Customers from before the period who bought again (order or won deal) in it; "
            "with no period start, customers from before the 365 days up to the period's end "
            "(or the last day with data) who bought again in them.",
            _share("is_retained", "is_customer_before"),
        ),
        Metric(
            "touches_per_account_month",
            "Touches per active account per month",
            "mean",
            "Touches in the period ÷ accounts touched in it ÷ months in the period.",
            _touches_per_month,
        ),
        Metric(
            "touched_90d",
            "Accounts touched in 90 days",
            "percent",
            "Share of accounts with a touch in the 90 days before the period ends.",
            _share("is_touched_90d", "accounts"),
        ),
        Metric(
            "channels_per_account",
            "Channels per account",
            "mean",
            "Distinct touch types (email, call, meeting…) per account touched in the period.",
            _per_active("channels"),
        ),
        Metric(
            "multi_department_90d",
            "Accounts touched by 2+ departments",
            "percent",
            "Share of accounts touched by two or more departments in the 90 days before the "
            "period ends.",
            _share("is_multi_department_90d", "accounts"),
        ),
        Metric(
            "personalized_share",
            "Personalized touches",
            "percent",
            "Share of touches in the period marked personalized (of those that say).",
            _share("touches_personalized", "touches_personalized_known"),
        ),
        Metric(
            "multi_product_share",
            "Customers with 2+ products",
            "percent",
            "Share of customers (by the end of the period) who bought two or more products.",
            _share("is_multi_product", "is_customer"),
        ),
        Metric(
            "survey_coverage",
            "Survey coverage",
            "percent",
            "Share of accounts with at least one scored survey answer in the period.",
            _share("is_surveyed", "accounts"),
        ),
        Metric(
            "nps",
            "NPS",
            "score",
            measures.MEASURES["nps"].definition,
            lambda s, m: measures.nps(s["nps_promoters"], s["nps_detractors"], s["nps_responses"]),
        ),
        Metric(
            "csat",
            "CSAT",
            "percent",
            measures.MEASURES["csat"].definition,
            lambda s, m: measures.csat(s["csat_satisfied"], s["csat_responses"]),
        ),
        Metric(
            "promoter_share",
            "Promoter share",
            "percent",
            "Share of NPS answers in the period scoring 9 or 10.",
            _share("nps_promoters", "nps_responses"),
        ),
        Metric(
            "win_rate",
            "Win rate",
            "percent",
            measures.MEASURES["win_rate"].definition,
            _win_rate("deals_won", "deals_lost"),
        ),
        Metric(
            "partner_sourced_share",
            "Partner- or referral-sourced deals",
            "percent",
            "Share of deals created in the period whose source names a partner or referral.",
            _share("deals_created_partner", "deals_created"),
        ),
        Metric(
            "partner_win_rate",
            "Win rate of partner/referral deals",
            "percent",
            "Win rate among closed partner- or referral-sourced deals.",
            _win_rate("partner_won", "partner_lost"),
        ),
        Metric(
            "competitive_win_rate",
            "Win rate in competitive deals",
            "percent",
            "Win rate among closed deals that name a competitor.",
            _win_rate("competitive_won", "competitive_lost"),
        ),
        Metric(
            "loss_to_competitor_share",
            "Losses to a competitor",
            "percent",
            "Share of deals lost in the period that name a competitor (lower is better).",
            _share("competitive_lost", "deals_lost"),
        ),
        Metric(
            "lead_to_customer",
            "Lead-to-customer conversion",
            "percent",
            "Share of deals created in the period that are won.",
            _share("deals_created_won", "deals_created"),
        ),
    )
}


def values(sums: Sums, months: float, unfed: Collection[str] = ()) -> dict[str, float | None]:
    """Every metric's value from the summed counts of some accounts (None = no data); metrics
    in `unfed` (their input was never loaded: a 0 share of nothing) are None too."""
    return {
        key: None if key in unfed else metric.compute(sums, months)
        for key, metric in METRICS.items()
    }


def unfed(cur: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> dict[str, str]:
    """metric -> why it has no data whatever the choices: an input field no load in effect
    feeds within the grant (no activities loaded, no survey score...), with what to map
    (core/needs.py)."""
    return needs.no_data_reasons(cur, needs.HEALTH, filters)


def sums_of(frame: pd.DataFrame) -> dict[str, float]:
    """Column sums of per-account rows, plus the number of accounts."""
    labels = ["window_end", "account_id", "account_name", "segment"]
    numeric = frame.drop(columns=labels, errors="ignore")
    out = {k: float(v) for k, v in numeric.sum().items()}
    out["accounts"] = float(len(frame))
    return out


def period_months(cur: duckdb.DuckDBPyConnection, filters: Filters) -> float:
    """Months the period spans; the data's span where the period is open-ended."""
    first, last = coverage.data_span(cur)
    start = filters.start_date or first
    end = filters.end_date or last
    return max((end - start).days + 1, 1) / DAYS_PER_MONTH


@dataclass(frozen=True)
class HealthData:
    """What the page scores: metric values for the scope, per segment, per account, per month."""

    overall: dict[str, float | None]
    previous: dict[str, float | None] | None
    segments: dict[str, dict[str, float | None]]
    accounts: pd.DataFrame  # account_id, account_name, segment + one column per metric
    accounts_in_scope: int
    no_data: dict[str, str] = field(default_factory=dict)  # metric -> what to map (unfed)


def account_rows(cur: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """health_accounts for the filters; for the default view (no filter, no grant, the last 12
    months of data) its per-load summary, the same rows (queries/health_accounts_default.sql)."""
    params = {**filters.params(), "window_ends": None, "window_days": None}
    if all(params[key] is None for key in SCOPE_KEYS) and filters.start_date and filters.end_date:
        frame = queries.run(cur, "health_accounts_default", filters.params())
        if len(frame):
            return frame.drop(columns="window_end")
    return queries.run(cur, "health_accounts", params).drop(columns="window_end")


def window_sums(
    cur: duckdb.DuckDBPyConnection, filters: Filters, ends: list[date] | None, days: int | None
) -> dict[date | None, dict[str, float]]:
    """sums_of each window's accounts, summed by the query (queries/health_totals.sql): one row
    per window, not one per account and window. ends None = one window, the period, under key
    None (all zeros with no account in scope, as sums_of of no rows); with ends, a window
    without an account in scope is left out, as a group of no rows would be."""
    params = {**filters.params(), "window_ends": ends, "window_days": days}
    frame = _default_view_totals(cur, params)
    if frame is None:
        name = _totals_query(params)
        frame = queries.run(cur, name, {k: params[k] for k in queries.parameters(name)})
    out: dict[date | None, dict[str, float]] = {}
    for row in frame.to_dict("records"):
        end = row.pop("window_end")
        out[None if ends is None else pd.Timestamp(end).date()] = {
            k: float(v) for k, v in row.items()
        }
    if ends is None and not out:
        out[None] = {c: 0.0 for c in frame.columns if c != "window_end"}
    return out


def _default_view_totals(
    cur: duckdb.DuckDBPyConnection, params: Mapping[str, object]
) -> pd.DataFrame | None:
    """The windows asked, from the default view's summary (queries/health_totals_default.sql):
    with no filter or grant, every window dated and all of them found there; else None."""
    ends, days = params["window_ends"], params["window_days"]
    if ends is None and params["start_date"] is not None and params["end_date"] is not None:
        ends = [params["end_date"]]
        days = (params["end_date"] - params["start_date"]).days + 1
    if ends is None or days is None or any(params[key] is not None for key in SCOPE_KEYS):
        return None
    scope = {key: params[key] for key in SCOPE_KEYS}
    frame = queries.run(
        cur, "health_totals_default", {"window_ends": ends, "window_days": days, **scope}
    )
    return frame if len(frame) == len(set(ends)) else None


def _totals_query(params: Mapping[str, object]) -> str:
    """health_totals_all (per-day summaries, a few thousand rows a window; per profile with a
    filter or grant) where it gives the same rows as health_totals: every window dated."""
    dated = params["window_ends"] is not None or (
        params["start_date"] is not None and params["end_date"] is not None
    )
    return "health_totals_all" if dated else "health_totals"


def scope_values(cur: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, float | None]:
    """Metric values for the whole scope of the filters (the CLI and the tiles)."""
    sums = window_sums(cur, filters, None, None)[None]
    return values(sums, period_months(cur, filters), unfed(cur, filters))


def _per_account(frame: pd.DataFrame, months: float, missing: Collection[str] = ()) -> pd.DataFrame:
    """Every metric per account, a column at a time: the definitions take Series as well as
    numbers (NaN = no data), so 100,000 accounts cost one vector operation per metric."""
    kept = ["account_id", "account_name", "segment"]
    kept += ["is_customer"] if "is_customer" in frame else []  # the accounts lists rank customers
    out = frame[kept].reset_index(drop=True)
    sums = {c: frame[c].reset_index(drop=True) for c in frame.columns}
    sums["accounts"] = pd.Series(1.0, index=out.index)
    for key, metric in METRICS.items():
        value = None if key in missing else metric.compute(sums, months)
        out[key] = pd.Series(float("nan"), index=out.index) if value is None else value
    return out


def _month_starts(start: date, end: date) -> list[date]:
    month, out = start.replace(day=1), []
    while month <= end:
        out.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return out


def trend_ends(start: date, end: date) -> list[date]:
    """The trend's window ends: each month end from start to end, then end itself (the
    default view's are kept per load by queries/summaries/health_view_windows.sql)."""
    month_ends = [
        (m + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        for m in _month_starts(start, end)
    ]
    return [e for e in month_ends if e < end] + [end]


def health_data(cur: duckdb.DuckDBPyConnection, filters: Filters) -> HealthData:
    """All metric values the page needs for the filters, at every grain it shows."""
    frame = account_rows(cur, filters)
    months = period_months(cur, filters)
    # unfed reads only the filters' grant, which the previous period keeps: asked once.
    missing = unfed(cur, filters)
    previous_filters = filters.previous_period()
    previous = (
        values(
            window_sums(cur, previous_filters, None, None)[None],
            period_months(cur, previous_filters),
            missing,
        )
        if previous_filters
        else None
    )
    segments = {
        str(name): values(sums_of(group), months, missing)
        for name, group in frame.fillna({"segment": "(no segment)"}).groupby("segment")
    }
    return HealthData(
        values(sums_of(frame), months, missing),
        previous,
        segments,
        _per_account(frame, months, missing),
        len(frame),
        missing,
    )


def monthly(
    cur: duckdb.DuckDBPyConnection, filters: Filters
) -> dict[date, dict[str, float | None]]:
    """Metric values at each month end of the period (the last 12 months of data without one),
    each over a window as long as the period (365 days without one) ending that day, so the
    last point is the tiles' value and every point is scored on the same footing. One query."""
    first, last = coverage.data_span(cur)
    end = filters.end_date or last
    start = filters.start_date or max(first, end - timedelta(days=364))
    days = (end - start).days + 1 if filters.has_period and filters.start_date else 365
    sums = window_sums(cur, filters, trend_ends(start, end), days)
    months = days / DAYS_PER_MONTH
    missing = unfed(cur, filters)
    return {end: values(window, months, missing) for end, window in sums.items()}
