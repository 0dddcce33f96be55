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
HISTORY = _i("deal_stage_history", "entered_at", "a stage history (date each stage was entered)")
SOURCE = _i("deals", "source", "a lead source column on deals")
PRODUCT = (
    Input("deals", "product", "a product column on deals"),
    Input("orders", "product", "a product column on orders"),
)

ACCOUNT_ROWS = _i("accounts", "account_id", "an account id column on accounts")


def _health(key: str, label: str, requires: tuple[tuple[Input, ...], ...]) -> Need:
    """A health metric's need: its own inputs and the accounts it is counted over."""
    return Need(key, HEALTH, label, (ACCOUNT_ROWS, *requires))


OVERVIEW = "Overview"
FUNNEL = "Funnel"
RETENTION = "Retention"
SATISFACTION = "Satisfaction"
COMPETITORS = "Competitors"
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
    # Pages, each by what its charts read (the keys their data functions look up).
    Need("funnel", FUNNEL, "stages and conversion", (_i("deals", "stage", "a stage column"),)),
    Need("funnel_amount", FUNNEL, "amounts per stage", (AMOUNT,)),
    Need("funnel_period", FUNNEL, "deals placed in a period by creation date", (CREATED,)),
    Need("funnel_cycle", FUNNEL, "sales cycle", (DEAL_STATUS, CREATED, CLOSED)),
    Need("funnel_time_in_stage", FUNNEL, "days in each stage", (HISTORY,)),
    Need("retention", RETENTION, "customer cohorts", ORDERS),
    Need(
        "revenue_retention",
        RETENTION,
        "revenue retention",
        (*ORDERS, _i("orders", "amount", "an order amount column")),
    ),
    Need("satisfaction", SATISFACTION, "NPS, CSAT and CES trend", (SCORE, RESPONDED)),
    Need("verbatims", SATISFACTION, "verbatims", (_i("surveys", "comment", "a comment column"),)),
    Need(
        "satisfaction_behaviour",
        SATISFACTION,
        "satisfaction and buying again",
        (SCORE, _i("surveys", "account_id", "an account column on surveys"), *ORDERS),
    ),
    Need("competitors", COMPETITORS, "win rate per competitor", (DEAL_STATUS, COMPETITOR)),
    Need("competitor_period", COMPETITORS, "deals placed in a period by close date", (CLOSED,)),
    Need("competitor_amount", COMPETITORS, "amounts won and lost", (DEAL_STATUS, AMOUNT)),
    Need("competitor_cycle", COMPETITORS, "median cycle", (DEAL_STATUS, CREATED, CLOSED)),
    Need(
        "loss_reasons",
        COMPETITORS,
        "loss reasons",
        (_i("deals", "loss_reason", "a loss reason column"),),
    ),
    # Health metrics, keyed as analytics/health/metrics.METRICS; each is counted per account
    # of the accounts table (_health adds it), so without an accounts file none has data.
    _health("profile_complete", "complete profiles", PROFILE),
    _health("segment_coverage", "accounts with a segment", (PROFILE[0],)),
    _health("data_quality", "data quality", (*PROFILE, *TOUCHES)),
    _health("logo_retention", "logo retention", (CUSTOMER,)),
    _health("touches_per_account_month", "touches per account", TOUCHES),
    _health("touched_90d", "accounts touched in 90 days", TOUCHES),
    _health(
        "channels_per_account",
        "channels per account",
        (*TOUCHES, _i("activities", "type", "an activity type column")),
    ),
    _health(
        "multi_department_90d",
        "accounts touched by 2+ departments",
        (*TOUCHES, _i("activities", "department", "a department column on activities")),
    ),
    _health(
        "personalized_share",
        "personalized touches",
        (*TOUCHES, _i("activities", "is_personalized", "a personalized flag on activities")),
    ),
    _health("multi_product_share", "customers with 2+ products", (CUSTOMER, PRODUCT)),
    _health("survey_coverage", "survey coverage", (SCORE,)),
    _health("promoter_share", "promoter share", (SCORE,)),
    _health("partner_sourced_share", "partner-sourced deals", (SOURCE, CREATED)),
    _health("partner_win_rate", "win rate of partner deals", (DEAL_STATUS, SOURCE)),
    _health("competitive_win_rate", "win rate in competitive deals", (COMPETITOR,)),
    _health("loss_to_competitor_share", "losses to a competitor", (COMPETITOR,)),
    _health("nps", "NPS", (SCORE,)),
    _health("csat", "CSAT", (SCORE,)),
    _health("win_rate", "win rate", (DEAL_STATUS,)),
    _health("lead_to_customer", "lead-to-customer conversion", (DEAL_STATUS, CREATED)),
)

BY_KEY: dict[tuple[str, str], Need] = {(n.page, n.key): n for n in NEEDS}
TABLE_WORDS = {
    "deals": "deals",
    "orders": "orders (customer, date, amount)",
    "surveys": "surveys (score, date)",
    "activities": "activities (account, date)",
    "accounts": "accounts (segment, industry, region, owner)",
    "deal_stage_history": "a stage history (deal, stage, date entered)",
}


def need(page: str, key: str) -> Need:
    return BY_KEY[(page, key)]


Fed = Mapping[tuple[str, str], tuple[int, int]]  # (table, field) -> (rows, rows with a value)


def fed_in_warehouse(
    cur: duckdb.DuckDBPyConnection, filters: Filters | None = None
) -> dict[tuple[str, str], tuple[int, int]]:
    """(table, field) -> (rows, rows with a value) over the data in effect that the filters'
    grant covers (their choices aside: a segment without amounts is not "never mapped")."""
    params = (filters or Filters()).scope_params()
    everything = all(value is None for value in params.values())
    frame = queries.run(
        cur, "measure_inputs_all_granted" if everything else "measure_inputs", params
    )
    columns = (frame[c].tolist() for c in ("table_name", "field_name", "rows_total", "rows_known"))
    return {
        (table, field_): (int(rows), int(known))
        for table, field_, rows, known in zip(*columns, strict=True)
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
    """Why a need is not met, with the fix, as one clause the caller can put after its own
    colon ("No won amount: <this>."): "no amount column was mapped; map one on the import
    page"; a table with no rows at all: "no file gives orders (customer, date, amount); load
    one on the import page". Never a colon of its own, so no sentence reads "a: b: c"."""
    causes = []
    for group in groups:
        table = group[0].table
        if tables is not None and all(i.table not in tables for i in group):
            causes.append(f"{ABSENT}{TABLE_WORDS.get(table, table)}")
        else:
            what = " or ".join(i.what for i in group)
            causes.append(f"no {_without_article(what)} was mapped")
    return _sentence(causes, where)


ABSENT = "no file gives "
CAUSES_END = "; "  # between the causes and the fix: a cause never holds one


def _sentence(causes: Iterable[str], where: str = "import page") -> str:
    """'<cause> and <cause>; <fix> on the <where>', each cause once; '' with none."""
    causes = list(dict.fromkeys(causes))
    if not causes:
        return ""
    absent = [c for c in causes if c.startswith(ABSENT)]
    unmapped = [c for c in causes if not c.startswith(ABSENT)]
    if absent and unmapped:
        todo = "load and map them"
    elif absent:
        todo = "load one" if len(absent) == 1 else "load them"
    else:
        todo = "map one" if len(unmapped) == 1 else "map them"
    return f"{' and '.join(causes)}{CAUSES_END}{todo} on the {where}"


def merged(reasons: Iterable[str], where: str = "import page") -> str:
    """Several needs' reasons (missing_sentence) as one: each cause once, one fix at the end
    ("no file gives accounts (…) and no product column … was mapped; load and map them on
    the import page")."""
    causes = [
        cause
        for reason in reasons
        for cause in reason.split(CAUSES_END, 1)[0].split(" and ")
        if cause
    ]
    return _sentence(causes, where)


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


def note(page: str, key: str, why: str) -> str:
    """The empty state of a chart or column whose input no load fed, with the fix:
    "No amounts per stage: no amount column was mapped; map one on the import page."."""
    return f"No {need(page, key).label}: {why}."


def page_notes(
    cur: duckdb.DuckDBPyConnection, page: str, filters: Filters | None = None
) -> dict[str, str]:
    """key -> note(...) for each of the page's needs the data in effect (within the filters'
    grant) does not meet; a page's data functions hide or blank what these keys draw (never a
    0 for what was never mapped)."""
    reasons = no_data_reasons(cur, page, filters)
    return {key: note(page, key, why) for key, why in reasons.items()}
