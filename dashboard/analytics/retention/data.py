"""Retention cohorts: do the customers we win keep buying?

The query files return counts and sums per cohort and offset (read from the per-load
summaries `summary_retention_customers` and `summary_retention_activity`); every retention rate
is defined here, once, on top of measures.ratio.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd

from dashboard.core import formatting, measures, needs, noise, queries
from dashboard.core.coverage import data_span
from dashboard.core.filters import SCOPE_KEYS, Filters
from dashboard.core.periods import GRAINS, cohort_label, describe, describe_period
from dashboard.core.tiles import Tile

BASES = {"first_order": "first order", "first_won_deal": "first won deal"}
MEASURES = {"logo": "Customers (logo retention)", "revenue": "Revenue (revenue retention)"}
RULES = {False: "Ordered in period k", True: "Ordered in period k or later"}
KPI_OFFSETS = range(1, 13)
# The page's own widgets: (label, choices, session key), in the order the page unpacks them.
PAGE_OPTIONS = (
    ("Cohort by", GRAINS, "ret_grain"),
    ("Cohort starts at the customer's", BASES, "ret_basis"),
    ("Retained at period k means", RULES, "ret_rule"),
    ("Show", MEASURES, "ret_measure"),
)


# --- definitions ------------------------------------------------------------------------


def logo_retention(retained, cohort_customers):
    """Customers of a cohort who ordered in period cohort+k ÷ cohort size (0–1)."""
    return measures.ratio(retained, cohort_customers)


def revenue_retention(revenue, revenue_at_start):
    """Cohort revenue in period cohort+k ÷ its revenue at offset 0; undefined (None/NaN) when
    the offset-0 revenue is zero or negative, never an error or infinity. May exceed 1."""
    if isinstance(revenue_at_start, pd.Series):
        return measures.ratio(revenue, revenue_at_start.where(revenue_at_start > 0))
    if revenue_at_start is None or pd.isna(revenue_at_start) or revenue_at_start <= 0:
        return None
    return measures.ratio(revenue, revenue_at_start)


def churn_rate(customers_retained, customers_at_start):
    """Customers active in the prior period who did not order in this one ÷ those active."""
    kept = measures.ratio(customers_retained, customers_at_start)
    return None if kept is None else 1 - kept


def gross_revenue_retention(revenue_kept, revenue_at_start):
    """Σ min(period revenue, prior revenue) ÷ prior revenue, over customers active before."""
    return measures.ratio(revenue_kept, revenue_at_start)


def net_revenue_retention(revenue_from_start_customers, revenue_at_start):
    """Σ period revenue ÷ prior revenue, over customers active before (expansion included)."""
    return measures.ratio(revenue_from_start_customers, revenue_at_start)


# --- what the data cannot answer ---------------------------------------------------------


def no_data(cur: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> dict[str, str]:
    """The page's parts whose input no load fed (core/needs.py): key -> the sentence with what
    to load. Keys: retention (orders with a customer and a date), revenue_retention (their
    amount). Won deals can start a cohort, but only orders say who bought again."""
    return needs.page_notes(cur, needs.RETENTION, filters)


def empty_state(gaps: dict[str, str], measure: str) -> str | None:
    """Why the cohort charts cannot be drawn whatever the period (None when they can)."""
    if "retention" in gaps:
        return gaps["retention"]
    if measure == "revenue" and "revenue_retention" in gaps:
        return f"{gaps['revenue_retention']} Show customers (logo retention) instead."
    return None


# --- cohorts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cohorts:
    """Everything the cohort charts draw, for one grain, basis and retention rule."""

    cells: pd.DataFrame  # one row per cohort x offset, segments summed, with rates
    average: pd.DataFrame  # one row per offset: cohorts whose period cohort+k is complete
    by_segment: pd.DataFrame  # one row per segment x offset, averaged the same way
    as_of: date
    grain: str
    basis: str
    unbounded: bool
    notes: list[str] = field(default_factory=list)


def data_as_of(cur: duckdb.DuckDBPyConnection) -> date:
    """The data's last day: a period ending after it is in progress."""
    return data_span(cur)[1]


def cohort_params(filters: Filters, grain: str, basis: str, as_of: date) -> dict[str, object]:
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {', '.join(GRAINS)}, not {grain!r}")
    if basis not in BASES:
        raise ValueError(f"basis must be one of {', '.join(BASES)}, not {basis!r}")
    return {**filters.params(), "grain": grain, "basis": basis, "as_of": as_of}


def cohorts(
    cur: duckdb.DuckDBPyConnection,
    filters: Filters,
    grain: str = "month",
    basis: str = "first_order",
    unbounded: bool = False,
) -> Cohorts:
    """Cohort triangle, its weighted average row and per-segment averages, with rates."""
    first, as_of = data_span(cur)
    rows = queries.run(cur, "retention_by_cohort", cohort_params(filters, grain, basis, as_of))
    by_cohort_segment = with_rates(rows, unbounded)
    keys = ["cohort_start", "period_offset", "period_start", "period_end", "is_complete"]
    summed = rows.groupby(keys, as_index=False)[
        ["cohort_customers", "active_customers", "active_or_later_customers", "revenue"]
    ].sum()
    cells = with_rates(summed, unbounded)
    return Cohorts(
        cells=cells,
        average=average_by_offset(cells),
        by_segment=average_by_offset(by_cohort_segment, by=["segment"]),
        as_of=as_of,
        grain=grain,
        basis=basis,
        unbounded=unbounded,
        notes=_notes(cur, filters, cells, grain, (first, as_of)),
    )


def with_rates(rows: pd.DataFrame, unbounded: bool) -> pd.DataFrame:
    """Adds retained (by the chosen rule), logo_rate, revenue_at_start and revenue_rate."""
    out = rows.copy()
    group = [c for c in ("cohort_start", "segment") if c in out.columns]
    out["retained"] = out["active_or_later_customers" if unbounded else "active_customers"]
    out["logo_rate"] = logo_retention(out["retained"], out["cohort_customers"])
    at_start = out["revenue"].where(out["period_offset"] == 0)
    out["revenue_at_start"] = at_start.groupby([out[c] for c in group]).transform("max")
    out["revenue_rate"] = revenue_retention(out["revenue"], out["revenue_at_start"])
    return out


def average_by_offset(cells: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """The average row (product.md): cohorts weighted by size, using for offset k only cohorts
    whose period cohort+k is complete. Logo: Σ retained ÷ Σ cohort size. Revenue: the
    size-weighted mean of the cohorts' revenue retention, over those where it is defined."""
    keys = [*(by or []), "period_offset"]
    done = cells[cells["is_complete"]]
    defined = done["revenue_rate"].notna()
    work = pd.DataFrame(
        {
            **{k: done[k] for k in keys},
            "cohorts": 1,  # one row per cohort (and segment) and offset
            "cohort_customers": done["cohort_customers"],
            "retained": done["retained"],
            "revenue_customers": done["cohort_customers"].where(defined, 0),
            "weighted": (done["revenue_rate"] * done["cohort_customers"]).where(defined, 0.0),
        }
    )
    out = work.groupby(keys, as_index=False).sum()
    out["logo_rate"] = logo_retention(out["retained"], out["cohort_customers"])
    out["revenue_rate"] = measures.ratio(out["weighted"], out["revenue_customers"])
    return out.drop(columns="weighted")


def starts_a_period(day: date, grain: str) -> bool:
    """True when day is the first day of its week (Monday), month or quarter."""
    if grain == "week":
        return day.weekday() == 0
    return day.day == 1 and (grain == "month" or day.month in (1, 4, 7, 10))


def _notes(
    cur: duckdb.DuckDBPyConnection,
    filters: Filters,
    cells: pd.DataFrame,
    grain: str,
    span: tuple[date, date],
) -> list[str]:
    """What the triangle leaves out or draws differently, in words."""
    notes = []
    unit = GRAINS[grain].lower()
    first, as_of = span
    earliest = cells["cohort_start"].min() if not cells.empty else None
    if earliest is not None and earliest.date() <= first <= cells["period_end"].min().date():
        notes.append(
            f"{cohort_label(earliest, grain)} is the first {unit} of the data: customers who "
            "ordered before the data starts look new there, so that cohort may be too big."
        )
    if not cells.empty and not cells["is_complete"].all():
        notes.append(
            f"The data ends on {as_of:%-d %b %Y}, so the {unit} that holds it is still in "
            "progress: its cells are hatched and left out of the average, not read as a drop."
        )
    start = filters.start_date
    if start is not None and not starts_a_period(start, grain):
        notes.append(
            f"The period starts on {start:%-d %b %Y}, inside a {unit}: the first cohort holds "
            "only the customers who joined from that day."
        )
    gaps = queries.run_one(
        cur,
        "retention_left_out",
        {k: v for k, v in filters.params().items() if k in SCOPE_KEYS},
    )
    if gaps["orders_without_date"]:
        notes.append(
            f"{formatting.count(gaps['orders_without_date'])} orders have no date and are in no "
            f"period ({formatting.count(gaps['customers_without_dated_order'])} customers have "
            "no dated order at all, so no cohort)."
        )
    if gaps["orders_without_customer"]:
        notes.append(
            f"{formatting.count(gaps['orders_without_customer'])} orders have no customer id "
            "and cannot be followed over time."
        )
    return notes


# --- the period: churn, gross and net revenue retention ---------------------------------


@dataclass(frozen=True)
class PeriodRetention:
    tiles: list[Tile]
    note: str | None  # why there are no tiles, or what they compare


def period_retention(cur: duckdb.DuckDBPyConnection, filters: Filters) -> PeriodRetention:
    """Churn, gross and net revenue retention of the customers who ordered in the prior
    period of equal length, measured over the filter period."""
    if filters.start_date is None or filters.end_date is None:
        return PeriodRetention(
            [],
            "Pick a period in the sidebar to see churn and revenue retention against the "
            "period of equal length before it.",
        )
    if why := needs.no_data_reasons(cur, needs.RETENTION, filters).get("retention"):
        return PeriodRetention([], f"No churn or revenue retention: {why}.")
    # This period's row and the previous period's, read in one pass (issue 18).
    rows = queries.run(cur, "retention_periods", filters.params()).to_dict("records")
    row, before_row = ({k: (None if pd.isna(v) else v) for k, v in r.items()} for r in rows)
    prior = Filters(row["prior_start_date"].date(), row["prior_end_date"].date())
    prior_words = describe_period(prior)
    at_start = row["customers_at_start"]
    if not at_start:
        return PeriodRetention(
            [],
            f"No customer ordered in the prior period ({prior_words}), so there is no one "
            "to retain: churn and revenue retention are not defined.",
        )
    followed = f"followed {describe_period(filters)}"  # the cohort and when, in dates
    basis = f"of {formatting.count(at_start)} customers who ordered {prior_words}, {followed}"
    money = f"of {formatting.money(row['revenue_at_start'])} they spent {prior_words}, {followed}"
    values = [
        (
            "churn",
            "Churn",
            churn_rate(row["customers_retained"], at_start),
            False,
            f"{formatting.count(at_start - row['customers_retained'])} {basis}",
            "Customers who ordered in the prior period of equal length and placed no order in "
            "this one ÷ customers who ordered in the prior period.",
        ),
        (
            "gross_revenue_retention",
            "Gross revenue retention",
            gross_revenue_retention(row["revenue_kept"], row["revenue_at_start"]),
            True,
            f"{formatting.money(row['revenue_kept'])} kept {money}",
            "For customers who ordered in the prior period: Σ min(revenue this period, revenue "
            "in the prior period) ÷ their prior-period revenue. Expansion does not count, so it "
            "stays between 0 and 100%. New customers never count.",
        ),
        (
            "net_revenue_retention",
            "Net revenue retention",
            net_revenue_retention(row["revenue_from_start_customers"], row["revenue_at_start"]),
            True,
            f"{formatting.money(row['revenue_from_start_customers'])} {money}",
            "For customers who ordered in the prior period: their revenue this period ÷ their "
            "prior-period revenue. Expansion counts, so it can exceed 100%. New customers never "
            "count.",
        ),
    ]
    before, compared, versus = _previous_rates(before_row, filters)
    tiles = [
        Tile(key, label, formatting.ratio(value), formatting.delta(value, before.get(key),
             "ratio"), better, f"{caption} · {versus}", f"{help_text} {compared}")
        for key, label, value, better, caption, help_text in values
    ]  # fmt: skip
    if "churn" in before:  # each change judged by its 95% margin (issue 19, point 3)
        tiles = noise.judged(tiles, _changes(row, before), beyond=True, untested_keys=REVENUE)
    return PeriodRetention(
        tiles,
        f"{describe_period(filters)} against the prior period {prior_words}; revenue is the net "
        f"order amount (returns subtracted). {compared}",
    )


# The revenue ratios: judged by their delta-method margin over customers, grey and "no noise
# test" when a period has too few customers for one.
REVENUE = ("gross_revenue_retention", "net_revenue_retention")


def _spread(row: Mapping) -> dict[str, tuple[float | None, float | None]]:
    """(ratio, delta-method se) of gross and net revenue retention over the customers at start."""
    n, spent = row["customers_at_start"], row["revenue_at_start"]
    kept, total = row["revenue_kept"], row["revenue_from_start_customers"]
    return {
        "gross_revenue_retention": (
            gross_revenue_retention(kept, spent),
            noise.ratio_se(n, spent, kept, row["sum_xx"], row["sum_kk"], row["sum_kx"]),
        ),
        "net_revenue_retention": (
            net_revenue_retention(total, spent),
            noise.ratio_se(n, spent, total, row["sum_xx"], row["sum_yy"], row["sum_yx"]),
        ),
    }


def _changes(row: Mapping, before: Mapping) -> dict[str, tuple[float, float, str]]:
    """tile key -> (margin, change, margin as written), all in points: churn as a binomial
    share of the customers at start, the revenue ratios by the delta method."""
    out = {}
    at_start = row["customers_at_start"]
    churned = noise.share_change(at_start - row["customers_retained"], at_start,
                                 *before["churned_of"])  # fmt: skip
    if churned:
        out["churn"] = churned
    now = _spread(row)
    for key in REVENUE:
        changed = noise.ratio_change(now[key], before["spread"][key])
        if changed:
            out[key] = changed
    return {key: (margin, change, f"±{margin:.1f} pts") for key, (margin, change) in out.items()}


def _previous_rates(row: Mapping, filters: Filters) -> tuple[dict, str, str]:
    """The same three rates one period earlier (the customers who ordered in the period before
    the prior one, followed over the prior one), the sentence that says so, and the tile's
    short "vs <when>"; {} when there is no one to compare with, or when those customers are no
    complete cohort: orders start inside or at that period, so every one of them was new to
    the data (a first year of only new customers 'retained' 143.9% of net revenue on the
    sample, and the change read "↓ 57.7 pts")."""
    previous = filters.previous_period()
    if previous is None:
        return {}, "", "no change: no earlier period"
    base = Filters(row["prior_start_date"].date(), row["prior_end_date"].date())
    when = describe_period(base)
    at_start = row["customers_at_start"]
    first = row["first_order_date"]
    if first is not None and not pd.isna(first) and pd.Timestamp(first).date() >= base.start_date:
        started = f"{pd.Timestamp(first):%-d %b %Y}"
        return (
            {},
            f"No change is shown: orders start on {started}, so the customers who ordered "
            f"{when} were all new to the data, not a complete cohort to compare with.",
            "no change: no complete earlier cohort (see below)",
        )
    if not at_start:
        return (
            {},
            "No customer ordered the period before, so there is no change to show.",
            f"no change: no customer ordered {when}",
        )
    kept, spent = row["customers_retained"], row["revenue_at_start"]
    return (
        {
            "churn": churn_rate(kept, at_start),
            "churned_of": (at_start - kept, at_start),
            "gross_revenue_retention": gross_revenue_retention(row["revenue_kept"], spent),
            "net_revenue_retention": net_revenue_retention(
                row["revenue_from_start_customers"], spent
            ),
            "spread": _spread(row),
        },
        (
            f"Change vs the customers who ordered {when}, followed {describe_period(previous)} "
            f"({formatting.count(at_start)} customers)."
        ),
        f"vs {when}",
    )


# --- the CLI ----------------------------------------------------------------------------


def kpi_rows(cur: duckdb.DuckDBPyConnection, filters: Filters) -> list[dict[str, object]]:
    """Monthly logo retention by offset 1–12 (cohorts by first order, ordered in period k),
    as the average row: only cohorts whose month cohort+k is complete count for offset k."""
    if "retention" in no_data(cur, filters):  # no orders: no one to follow, not 0 of 0 kept
        return [
            {"offset": k, "customers_retained": None, "cohort_customers": None, "rate": None}
            for k in KPI_OFFSETS
        ]
    average = cohorts(cur, filters, "month", "first_order", False).average
    by_offset = average.set_index("period_offset")
    rows = []
    for k in KPI_OFFSETS:
        found = k in by_offset.index
        retained = int(by_offset.at[k, "retained"]) if found else 0
        customers = int(by_offset.at[k, "cohort_customers"]) if found else 0
        rows.append(
            {
                "offset": k,
                "customers_retained": retained,
                "cohort_customers": customers,
                "rate": logo_retention(retained, customers),
            }
        )
    return rows


# --- words for the page -----------------------------------------------------------------


def offset_title(grain: str, basis: str) -> str:
    return f"{GRAINS[grain]}s since {BASES[basis]}"


def scope_note(grain: str, basis: str, unbounded: bool) -> str:
    """How the filters apply to cohorts, in a manager's words."""
    unit = GRAINS[grain].lower()
    rule = (
        f"placed an order in that {unit} or any later one"
        if unbounded
        else f"placed an order in that {unit}"
    )
    return (
        f"A cohort is the customers whose {BASES[basis]} fell in the same {unit}; the sidebar "
        f"period picks the cohorts (customers whose {BASES[basis]} falls in it), and their "
        f"orders are followed to the end of the data. Retained at {unit} k = {rule}. "
        f"Revenue retention = the cohort's revenue in {unit} k ÷ its revenue in {unit} 0, "
        "blank when that is zero."
    )


def chart_title(what: str, view: Cohorts, measure: str, filters: Filters) -> str:
    """'Logo retention of monthly cohorts (by first order) · 1 Nov 2025 – 31 Oct 2026'."""
    name = "Logo retention" if measure == "logo" else "Revenue retention"
    cadence = {"week": "weekly", "month": "monthly", "quarter": "quarterly"}[view.grain]
    rule = ", ordered in k or later" if view.unbounded and measure == "logo" else ""
    return f"{name} {what} {cadence} cohorts (by {BASES[view.basis]}{rule}) · {describe(filters)}"
