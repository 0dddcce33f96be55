"""The metrics a rule may name are the scalar `kpis` keys, no more and no fewer."""

from __future__ import annotations

from dashboard.alerts.metrics import KPI_METRICS, METRICS, show
from dashboard.core import measures
from dashboard.core.filters import Filters
from tests.alerts.conftest import load_company


def test_every_scalar_kpis_key_is_a_metric(con):
    load_company(con)
    printed = measures.kpis(con, Filters())
    scalar = {k for k, v in printed.items() if not isinstance(v, dict | list)}
    assert {m.key for m in KPI_METRICS} == scalar


def test_values_show_as_the_pages_show_them():
    assert METRICS["win_rate"].label == "Win rate"
    assert show("win_rate", 0.5) == "50.0%"
    assert show("won_amount", 1_250_000) == "$1.2M"
    assert show("nps", None) == "—"
