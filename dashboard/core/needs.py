"""What each page, tile and health metric needs from the canonical tables: one declaration.

The KPIs (measures.kpis), the health metrics and the import check ("what these files can
answer", ingest/answers.py) all read NEEDS, so a tile cannot need a field the check does not
ask for. A need is met when every group of inputs has one input fed; an input is fed when at
least one row in effect has a value in it (queries/measure_inputs.sql): a field no load mapped
has none, so its measures are "no data" (null, "—"), never 0 (product.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import duckdb

from dashboard.core import queries
from dashboard.core.filters import Filters


@dataclass(frozen=True)
class Input:
    table: str
    field: str
    what: str  # how a person calls the column: "an amount column"


@dataclass(frozen=True)
class Need:
    key: str  # a measure key (measures.MEASURES), a health metric key, or "<page>"
    page: str  # the page that shows it
    label: str  # the tile's or chart's name, lower case
    requires: tuple[tuple[Input, ...], ...]  # every group; any one input of a group

    def inputs(self) -> list[Input]:
        return [i for group in self.requires for i in group]


def _i(table: str, field: str, what: str) -> tuple[Input, ...]:
    return (Input(table, field, what),)


DEAL_STATUS = (
    Input("deals", "stage", "a deal stage column"),
    Input("deals", "status", "a won/lost status column"),
)
AMOUNT = _i("deals", "amount", "an amount column")
CREATED = _i("deals", "created_at", "a creation date column")
CLOSED = _i("deals", "closed_at", "a close date column")
CUSTOMER = (
    Input("deals", "account_id", "an account (company) column on deals"),
    Input("orders", "account_id", "a customer column on orders"),
)
ORDERS = (
    _i("orders", "account_id", "a customer column on orders"),
    _i("orders", "ordered_at", "an order date column"),
)
SCORE = _i("surveys", "score", "a survey score column")
RESPONDED = _i("surveys", "responded_at", "a survey date column")
TOUCHES = (
    _i("activities", "account_id", "an account column on activities"),
    _i("activities", "occurred_at", "an activity date column"),
)
PROFILE = (
    _i("accounts", "segment", "a segment column on accounts"),
    _i("accounts", "industry", "an industry column on accounts"),
    _i("accounts", "region", "a region column on accounts"),
    _i("accounts", "owner", "an owner column on accounts"),
)
COMPETITOR = _i("deals", "competitor", "a competitor column on deals")
SOURCE = _i("deals", "source", "a lead source column on deals")
PRODUCT = (
    Input("deals", "product", "a product column on deals"),
    Input("orders", "product", "a product column on orders"),
)

OVERVIEW = "Overview"
HEALTH = "Health"

NEEDS: tuple[Need, ...] = (
    # Overview tiles, keyed as measures.MEASURES.
    Need("pipeline_open_amount", OVERVIEW, "open pipeline", (DEAL_STATUS, AMOUNT)),
    Need("won_amount", OVERVIEW, "won amount", (DEAL_STATUS, AMOUNT)),
    Need("average_deal_size", OVERVIEW, "average deal size", (DEAL_STATUS, AMOUNT)),
    Need("win_rate", OVERVIEW, "win rate", (DEAL_STATUS,)),
    Need("median_sales_cycle_days", OVERVIEW, "sales cycle", (DEAL_STATUS, CREATED, CLOSED)),
    Need("new_customers", OVERVIEW, "new customers", (CUSTOMER,)),
    Need("customers_total", OVERVIEW, "customers", (CUSTOMER,)),
    Need("nps", OVERVIEW, "NPS", (SCORE,)),
    Need("csat", OVERVIEW, "CSAT", (SCORE,)),
    Need("ces", OVERVIEW, "CES", (SCORE,)),
    # Pages, each by what its main chart reads.
    Need("funnel", "Funnel", "stages and conversion", (_i("deals", "stage", "a stage column"),)),
    Need("funnel_cycle", "Funnel", "time in stage and cycle", (CREATED, CLOSED)),
    Need(
        "retention",
        "Retention",
        "customer cohorts",
        (*ORDERS, _i("orders", "amount", "an order amount column")),
    ),
    Need("satisfaction", "Satisfaction", "NPS, CSAT and CES trend", (SCORE, RESPONDED)),
    Need("verbatims", "Satisfaction", "verbatims", (_i("surveys", "comment", "a comment column"),)),
    Need("competitors", "Competitors", "win rate per competitor", (DEAL_STATUS, COMPETITOR)),
    Need(
        "loss_reasons",
        "Competitors",
        "loss reasons",
        (_i("deals", "loss_reason", "a loss reason column"),),
    ),
    # Health metrics, keyed as analytics/health/metrics.METRICS.
    Need("profile_complete", HEALTH, "complete profiles", PROFILE),
    Need("segment_coverage", HEALTH, "accounts with a segment", (PROFILE[0],)),
    Need("data_quality", HEALTH, "data quality", (*PROFILE, *TOUCHES)),
    Need("logo_retention", HEALTH, "logo retention", (CUSTOMER,)),
    Need("touches_per_account_month", HEALTH, "touches per account", TOUCHES),
    Need("touched_90d", HEALTH, "accounts touched in 90 days", TOUCHES),
    Need(
        "channels_per_account",
        HEALTH,
        "channels per account",
        (*TOUCHES, _i("activities", "type", "an activity type column")),
    ),
    Need(
        "multi_department_90d",
        HEALTH,
        "accounts touched by 2+ departments",
        (*TOUCHES, _i("activities", "department", "a department column on activities")),
    ),
    Need(
        "personalized_share",
        HEALTH,
        "personalized touches",
        (*TOUCHES, _i("activities", "is_personalized", "a personalized flag on activities")),
    ),
    Need("multi_product_share", HEALTH, "customers with 2+ products", (CUSTOMER, PRODUCT)),
    Need("survey_coverage", HEALTH, "survey coverage", (SCORE,)),
    Need("promoter_share", HEALTH, "promoter share", (SCORE,)),
    Need("partner_sourced_share", HEALTH, "partner-sourced deals", (SOURCE,)),
    Need("partner_win_rate", HEALTH, "win rate of partner deals", (DEAL_STATUS, SOURCE)),
    Need("competitive_win_rate", HEALTH, "win rate in competitive deals", (COMPETITOR,)),
    Need("loss_to_competitor_share", HEALTH, "losses to a competitor", (COMPETITOR,)),
    Need("lead_to_customer", HEALTH, "lead-to-customer conversion", (DEAL_STATUS,)),
)

BY_KEY: dict[tuple[str, str], Need] = {(n.page, n.key): n for n in NEEDS}
TABLE_WORDS = {
    "deals": "deals",
    "orders": "orders (customer, date, amount)",
    "surveys": "surveys (score, date)",
    "activities": "activities (account, date)",
    "accounts": "accounts (segment, industry, region, owner)",
}


def need(page: str, key: str) -> Need:
    return BY_KEY[(page, key)]


Fed = Mapping[tuple[str, str], tuple[int, int]]  # (table, field) -> (rows, rows with a value)


def fed_in_warehouse(
    cur: duckdb.DuckDBPyConnection, filters: Filters | None = None
) -> dict[tuple[str, str], tuple[int, int]]:
    """(table, field) -> (rows, rows with a value) over the data in effect that the filters'
    grant covers (their choices aside: a segment without amounts is not "never mapped")."""
    frame = queries.run(cur, "measure_inputs", (filters or Filters()).scope_params())
    return {
        (r.table_name, r.field_name): (int(r.rows_total), int(r.rows_known))
        for r in frame.itertuples(index=False)
    }


def is_fed(fed: Fed | Iterable[tuple[str, str]], item: Input) -> bool:
    if isinstance(fed, Mapping):
        return fed.get((item.table, item.field), (0, 0))[1] > 0
    return (item.table, item.field) in set(fed)


def unmet(need_: Need, fed: Fed | Iterable[tuple[str, str]]) -> list[tuple[Input, ...]]:
    """The groups of inputs of which no input is fed."""
    fed = fed if isinstance(fed, Mapping) else set(fed)
    return [g for g in need_.requires if not any(is_fed(fed, i) for i in g)]


def tables_with_rows(fed: Fed) -> set[str]:
    return {table for (table, _), (rows, _) in fed.items() if rows}


def missing_sentence(
    groups: list[tuple[Input, ...]], tables: set[str] | None = None, where: str = "import page"
) -> str:
    """Why a need is not met, with the fix: "no amount column was mapped: map one on the
    import page"; a table with no rows at all: "needs orders (customer, date, amount): no
    file gives them"."""
    parts = []
    for group in groups:
        table = group[0].table
        if tables is not None and all(i.table not in tables for i in group):
            parts.append(f"needs {TABLE_WORDS.get(table, table)}: no file gives them")
        else:
            what = " or ".join(i.what for i in group)
            parts.append(f"no {_without_article(what)} was mapped: map one on the {where}")
    return "; ".join(dict.fromkeys(parts))


def _without_article(text: str) -> str:
    for article in ("an ", "a "):
        text = text.replace(" or " + article, " or ")
        if text.startswith(article):
            text = text[len(article) :]
    return text


def no_data_reasons(
    cur: duckdb.DuckDBPyConnection, page: str, filters: Filters | None = None
) -> dict[str, str]:
    """key -> why it is no data, for the page's needs that the data in effect (within the
    filters' grant) does not meet."""
    fed = fed_in_warehouse(cur, filters)
    tables = tables_with_rows(fed)
    out = {}
    for n in NEEDS:
        groups = unmet(n, fed) if n.page == page else []
        if groups:
            out[n.key] = missing_sentence(groups, tables)
    return out
