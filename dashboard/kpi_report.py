"""Everything `crm-dashboard kpis` prints: the headline KPIs plus one section per page."""

from __future__ import annotations

import duckdb

from dashboard import competitors, funnel, measures, retention, satisfaction
from dashboard.filters import Filters
from dashboard.health import config as health_config
from dashboard.health import report as health


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
