"""Product series is a funnel breakdown (product.md: "the series is a breakdown wherever
product is"), read from the products table with names matched case- and space-insensitively."""

from __future__ import annotations

from dashboard.analytics.funnel import data as funnel
from dashboard.core.filters import Filters
from dashboard.store import warehouse
from tests.conftest import frame

STAGES = frame(
    "pipeline stage stage_order status",
    [("P", "Open", 1, "open"), ("P", "Won", 2, "won"), ("P", "Lost", 3, "lost")],
)
PRODUCTS = frame(
    "product series list_price",
    [("GTX Pro", "GTX", 4821), ("GTX Basic", "GTX", 550), ("MG Special", "MG", 55)],
)
# D1 'gtxpro' and D2 'GTX  Pro ' are GTX Pro spelled two other ways; D3 GTX Basic; D4 MG
# Special; D5 'Widget' is in no products row; D6 has no product.
DEALS = frame(
    "deal_id pipeline stage status amount product",
    [
        ("D1", "P", "Won", "won", 10, "gtxpro"),
        ("D2", "P", "Lost", "lost", 20, "GTX  Pro "),
        ("D3", "P", "Open", "open", 30, "GTX Basic"),
        ("D4", "P", "Won", "won", 40, "MG Special"),
        ("D5", "P", "Won", "won", 50, "Widget"),
        ("D6", "P", "Lost", "lost", 60, None),
    ],
)


def test_funnel_breakdown_by_product_series(con):
    warehouse.load_frames(
        con, {"pipeline_stages": STAGES, "deals": DEALS, "products": PRODUCTS}, source="test"
    )
    result = funnel.breakdown(con, Filters(), "P", "product_series")
    first = result.tidy[result.tidy["step_number"] == 1]
    got = {r.group_value: (r.count_reached, r.count_won, r.count_lost) for r in first.itertuples()}
    # GTX: D1 won, D2 lost, D3 open -> 3 deals; MG: D4 won; (not set): D5 won, D6 lost.
    assert got == {"GTX": (3, 1, 1), "MG": (1, 1, 0), "(not set)": (2, 1, 1)}
    assert result.table.columns[0] == "Product series"


def test_without_a_products_table_every_deal_is_not_set(con):
    warehouse.load_frames(con, {"pipeline_stages": STAGES, "deals": DEALS}, source="test")
    result = funnel.breakdown(con, Filters(), "P", "product_series")
    first = result.tidy[result.tidy["step_number"] == 1]
    assert first["group_value"].tolist() == ["(not set)"]
    assert first["count_reached"].tolist() == [6]
