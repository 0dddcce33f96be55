"""Everything `crm-dashboard kpis` prints: the headline KPIs plus one section per page."""

from __future__ import annotations

import duckdb

from dashboard import competitors, funnel, measures, retention, satisfaction
from dashboard.filters import Filters


def report(cur: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, object]:
    """Headline KPIs (measures.kpis) followed by the sections later pages add."""
    out: dict[str, object] = dict(measures.kpis(cur, filters))
    # Pages add their section here, one line each, e.g. out["funnel"] = funnel.kpi_rows(...)
    out["retention_by_offset"] = retention.kpi_rows(cur, filters)
    out["funnel"] = funnel.kpi_rows(cur, filters)
    out["satisfaction_by_month"] = satisfaction.kpi_rows(cur, filters)
    out["competitors"] = competitors.kpi_rows(cur, filters)
    return out
