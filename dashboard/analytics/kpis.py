"""Everything `crm-dashboard kpis` prints: the headline KPIs plus one section per page."""

from __future__ import annotations

import duckdb

from dashboard.analytics.competitors import data as competitors
from dashboard.analytics.funnel import data as funnel
from dashboard.analytics.health import config as health_config
from dashboard.analytics.health import report as health
from dashboard.analytics.retention import data as retention
from dashboard.analytics.satisfaction import data as satisfaction
from dashboard.core import measures
from dashboard.core.filters import Filters


def report(
    cur: duckdb.DuckDBPyConnection, filters: Filters, preset: str = health_config.DEFAULT_PRESET
) -> dict[str, object]:
    """Headline KPIs (measures.kpis) followed by the sections later pages add."""
    out: dict[str, object] = dict(measures.kpis(cur, filters))
    # Pages add their section here, one line each, e.g. out["funnel"] = funnel.kpi_rows(...)
    out["retention_by_offset"] = retention.kpi_rows(cur, filters)
    out["funnel"] = funnel.kpi_rows(cur, filters)
    out["satisfaction_by_month"] = satisfaction.kpi_rows(cur, filters)
    out["competitors"] = competitors.kpi_rows(cur, filters)
    out["health"] = health.kpi_rows(cur, filters, preset)
    return out
