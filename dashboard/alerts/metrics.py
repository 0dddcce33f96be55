"""What an alert rule can watch: every scalar `kpis` key, and page measures such as the win rate
against one competitor. Each value comes from the registry the pages use (core/measures.py,
analytics/competitors), never from a definition of its own."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from dashboard.analytics.competitors import data as competitors
from dashboard.core import formatting, measures
from dashboard.core.filters import Filters


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str  # a key of formatting.FORMATTERS
    needs_competitor: bool = False


def _kpi(key: str, label: str, unit: str) -> Metric:
    known = measures.MEASURES.get(key)
    return Metric(key, known.label if known else label, known.unit if known else unit)


# The scalar keys `crm-dashboard kpis` prints (tests/alerts check this list against it).
KPI_METRICS = (
    _kpi("deals_total", "Deals", "count"),
    _kpi("deals_open", "Open deals", "count"),
    _kpi("deals_won", "Won deals", "count"),
    _kpi("deals_lost", "Lost deals", "count"),
    _kpi("deals_closed", "Closed deals", "count"),
    _kpi("win_rate", "", ""),
    _kpi("won_amount", "", ""),
    _kpi("pipeline_open_amount", "", ""),
    _kpi("average_deal_size", "", ""),
    _kpi("median_sales_cycle_days", "", ""),
    _kpi("closed_deals_without_date", "Closed deals without a close date", "count"),
    _kpi("customers_total", "Customers", "count"),
    _kpi("new_customers", "", ""),
    _kpi("nps", "", ""),
    _kpi("nps_responses", "NPS responses", "count"),
    _kpi("csat", "", ""),
    _kpi("csat_responses", "CSAT responses", "count"),
    _kpi("ces", "", ""),
    _kpi("ces_responses", "CES responses", "count"),
)
PAGE_METRICS = (
    Metric("competitor_win_rate", "Win rate against", "ratio", needs_competitor=True),
    Metric("competitor_deals", "Closed deals against", "count", needs_competitor=True),
    Metric("competitor_deals_lost", "Deals lost to", "count", needs_competitor=True),
)
METRICS = {m.key: m for m in (*KPI_METRICS, *PAGE_METRICS)}
# page metric -> the column of competitors.kpi_rows it reads
COMPETITOR_FIELDS = {
    "competitor_win_rate": "win_rate",
    "competitor_deals": "deals",
    "competitor_deals_lost": "lost",
}


def label(key: str, competitor: str | None = None) -> str:
    metric = METRICS[key]
    return f"{metric.label} {competitor}" if metric.needs_competitor else metric.label


def show(key: str, value: float | None) -> str:
    """The value as the pages show it: '21.3%', '$1.2M', '57 days', '—'."""
    return formatting.FORMATTERS[METRICS[key].unit](value)


class Reader:
    """Reads metric values for one check, computing each set of filters' KPIs once."""

    def __init__(self, cur: duckdb.DuckDBPyConnection) -> None:
        self.cur = cur
        self._kpis: dict[Filters, dict[str, object]] = {}
        self._competitors: dict[Filters, list[dict[str, object]]] = {}

    def value(
        self, key: str, filters: Filters, competitor: str | None = None
    ) -> tuple[float | None, str | None]:
        """(value, None), or (None, why there is no value and what to map)."""
        if key in COMPETITOR_FIELDS:
            return self._competitor_value(key, filters, competitor or "")
        if filters not in self._kpis:
            self._kpis[filters] = measures.kpis(self.cur, filters)
        found = self._kpis[filters]
        value = found.get(key)
        if value is None:
            reason = found["no_data"].get(key) or "no data for this period and scope"
            return None, reason
        return float(value), None

    def _competitor_value(
        self, key: str, filters: Filters, competitor: str
    ) -> tuple[float | None, str | None]:
        if filters not in self._competitors:
            self._competitors[filters] = competitors.kpi_rows(self.cur, filters)
        rows = self._competitors[filters]
        if not any(r["competitor"] is not None for r in rows):
            return None, "no closed deal names a competitor: map the competitor column"
        row = next(
            (r for r in rows if (r["competitor"] or "").casefold() == competitor.casefold()),
            None,
        )
        if row is None:
            if key == "competitor_win_rate":
                return None, f"no closed deal against {competitor} in this period and scope"
            return 0.0, None
        value = row[COMPETITOR_FIELDS[key]]
        if value is None:
            return None, f"no closed deal against {competitor} in this period and scope"
        return float(value), None
