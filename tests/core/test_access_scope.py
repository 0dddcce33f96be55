"""Row-level scope in SQL: default deny on every query file, a manager's exact figures, rows
with an unknown account, values from outside a grant never shown, and URLs that cannot widen.

Each test fails without the defence: drop the scope from Filters.params() (or bind None for
"nothing") and the deny and golden tests return everyone's rows; drop it from a query file
and the canary test finds the other segment's names."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard.core import coverage, queries
from dashboard.core.filters import NOTHING, SCOPE_KEYS, Filters, Scope
from dashboard.store import warehouse
from tests.conftest import frame
from tests.core.test_queries import page_params
from tests.golden_data import load_golden

SMB = Scope(segments=("SMB",))
# Data about the data set as a whole, not about anyone's accounts: the first and last dated
# day, so that period presets and "as of" dates mean the same for everyone. It reveals no
# name and no figure (see SECURITY.md, Roles and scope).
# Whether only the (fictional) sample is loaded, with its size only then (sample_only.sql): the
# banner everyone sees alike; the counts of real data are never in its answer.
UNSCOPED = {"data_date_range", "sample_only"}
# Structural columns that describe the query, not the data (step numbers, configured steps).
# Load and change-event numbers say which loads a change covers, not what the rows hold.
STRUCTURAL = {
    "step_number",
    "count_steps",
    "event_id",
    "first_load_id",
    "last_load_id",
    "load_id",
    "superseded_by",
    "position",  # a row's place within its part (changes_deal_summary): 1..6 name the counts
}


def test_every_query_but_the_data_span_takes_the_scope():
    """A new query file without $segments/$regions/$owners would escape every grant."""
    unscoped = {n for n in queries.available() if not set(SCOPE_KEYS) <= queries.parameters(n)}
    assert unscoped == UNSCOPED


def _params(name: str, filters: Filters, **extra) -> dict:
    wanted = queries.parameters(name)
    params = {k: v for k, v in filters.params().items() if k in wanted}
    params.update(page_params().get(name, {}))
    params.update({k: v for k, v in extra.items() if k in wanted})
    return params


def _texts(result: pd.DataFrame) -> list[str]:
    return [str(v) for v in result.to_numpy().ravel()]


def _data_values(result: pd.DataFrame) -> list:
    """Every count, amount or other figure in a result (structural columns aside)."""
    out = []
    for column in result.columns:
        if column in STRUCTURAL or result[column].dtype == bool:
            continue
        if pd.api.types.is_numeric_dtype(result[column]):
            out += [v for v in result[column].tolist() if pd.notna(v) and v != 0]
    return out


@pytest.mark.parametrize("name", sorted(set(queries.available()) - UNSCOPED))
@pytest.mark.parametrize(
    "filters",
    [
        Filters(scope=NOTHING),  # unknown person or a manager granted nothing
        Filters(segments=("Enterprise",)).within(SMB),  # chose outside the grant
        Filters(scope=Scope(segments=("SMB",), regions=("Nowhere",))),  # no such region
    ],
    ids=["no-grant", "outside-grant", "empty-intersection"],
)
def test_default_deny_returns_no_data(sample_con, name, filters):
    result = queries.run(sample_con.cursor(), name, _params(name, filters))
    assert _data_values(result) == [], f"{name} shows data to someone who may see none"
    # (labels such as 'all' or a configured step name may remain; names from rows are
    # checked by the canary test below)


@pytest.mark.parametrize("name", sorted(set(queries.available()) - UNSCOPED))
def test_deny_differs_from_all(sample_con, name):
    """The deny representation is not "no filter": the same query without a scope has data
    (so the deny test above cannot pass by accident on an empty result)."""
    extra = {"account_id": "ACC-000001", "search": None}
    result = queries.run(sample_con.cursor(), name, _params(name, Filters(), **extra))
    assert len(result) > 0


# ---------------------------------------------------------------- golden: a manager's view


@pytest.fixture
def golden(con):
    load_golden(con)
    return con


def test_manager_sees_exactly_the_granted_deals(golden):
    # Granted SMB = account A2 only: D3 won 3000 (30 days), D4 open 2000, D6 lost (no amount).
    # Not D1 D2 D5 (A1 Enterprise) and not D7 (account ZZ unknown, so in no segment).
    manager = Filters().within(SMB)
    row = queries.run_one(golden, "deal_summary", manager.params())
    assert row == {
        "deals_total": 3,  # D3 D4 D6
        "deals_open": 1,  # D4
        "pipeline_open_amount": 2000.0,
        "deals_won": 1,  # D3
        "deals_lost": 1,  # D6
        "won_amount": 3000.0,
        "median_sales_cycle_days": 30.0,  # D3: 2025-02-01 -> 2025-03-03
        "closed_deals_without_date": 0,  # D7 has no date but is not SMB's
        "deals_open_with_amount": 1,  # D4
        "deals_won_with_amount": 1,  # D3
        "deals_won_with_cycle": 1,  # D3
    }
    admin = queries.run_one(golden, "deal_summary", Filters().params())
    assert admin["deals_total"] == 7  # the same query unscoped: every deal


def test_manager_choice_is_intersected_with_the_grant(golden):
    both = Filters(segments=("SMB", "Enterprise")).within(SMB)
    assert both.segments == ("SMB",)
    assert queries.run_one(golden, "deal_summary", both.params())["deals_total"] == 3
    outside = Filters(segments=("Enterprise",)).within(SMB)
    assert queries.run_one(golden, "deal_summary", outside.params())["deals_total"] == 0
    # an owner filter narrows further inside the grant: Ann owns no SMB deal
    ann = Filters(owners=("Ann",)).within(SMB)
    assert queries.run_one(golden, "deal_summary", ann.params())["deals_total"] == 0


def test_region_and_segment_grants_both_hold(golden):
    apac = Filters().within(Scope(regions=("APAC",)))  # A2 is the APAC account
    assert queries.run_one(golden, "deal_summary", apac.params())["deals_total"] == 3
    smb_emea = Filters().within(Scope(segments=("SMB",), regions=("EMEA",)))  # A2 is APAC
    assert queries.run_one(golden, "deal_summary", smb_emea.params())["deals_total"] == 0


def test_rows_with_an_unknown_account_do_not_leak_to_a_manager(golden):
    # Surveys: A2 (SMB) answered S5 (6), S6 (10) for nps, S7 without score, S12 (2) and S13
    # (4) for ces. S11 is A3's csat answer: A3 is not in accounts, so no manager sees it,
    # while the unscoped view counts it (product.md: with no filter every row counts).
    manager = queries.run_one(golden, "survey_summary", Filters().within(SMB).params())
    assert (manager["nps_responses"], manager["nps_promoters"], manager["nps_detractors"]) == (
        2,
        1,
        1,
    )
    assert (manager["csat_responses"], manager["ces_responses"]) == (0, 2)
    assert manager["ces_score_sum"] == 6.0  # 2 + 4
    admin = queries.run_one(golden, "survey_summary", Filters().params())
    assert admin["csat_responses"] == 4  # S8 S9 S10 and S11 (unknown account A3)
    # Orders: O2 belongs to unknown account A3; customers = accounts with a won deal or order
    customers = queries.run_one(golden, "customer_summary", Filters().within(SMB).params())
    assert customers == {"customers_total": 1, "new_customers": 1}  # A2 only
    admin_customers = queries.run_one(golden, "customer_summary", Filters().params())
    assert admin_customers["customers_total"] == 4  # A1 A2 A3 ZZ


def test_sidebar_offers_only_values_inside_the_grant(golden):
    assert coverage.filter_values(golden, Filters().within(SMB)) == {
        "owner": ["Bob"],  # A2's owner and the owner of its deals; Ann and Cy are not offered
        "region": ["APAC"],
        "segment": ["SMB"],
    }
    assert coverage.filter_values(golden, Filters(scope=NOTHING)) == {}
    assert coverage.filter_values(golden)["segment"] == ["Enterprise", "SMB"]


# ---------------------------------------------------------------- canary: nothing from outside

ACCOUNTS = frame(
    "account_id account_name segment region owner created_at",
    [
        ("OK1", "Open Books Ltd", "SMB", "EMEA", "Ola", "2025-01-02"),
        ("SEC1", "SecretAccount Inc", "Enterprise", "EMEA", "SecretOwner", "2025-01-02"),
    ],
)
STAGES = frame(
    "pipeline stage stage_order status",
    [
        ("Sales Pipeline", "Prospecting", 1, "open"),
        ("Sales Pipeline", "Proposal", 2, "open"),
        ("Sales Pipeline", "Won", 3, "won"),
        ("Sales Pipeline", "Lost", 4, "lost"),
        # a pipeline only the other segment's deals use: its name and stages are data too
        ("SecretPipeline", "SecretStage", 1, "open"),
        ("SecretPipeline", "SecretWon", 2, "won"),
        ("SecretPipeline", "SecretLost", 3, "lost"),
    ],
)
DEALS = frame(
    "deal_id account_id deal_name pipeline stage status amount created_at closed_at owner "
    "source competitor loss_reason",
    [
        ("OKD1", "OK1", "Ola deal", "Sales Pipeline", "Won", "won", 100,
         "2025-02-01", "2025-03-01", "Ola", "web", "OpenCorp", None),
        ("OKD2", "OK1", "Ola lost", "Sales Pipeline", "Lost", "lost", 50,
         "2025-02-01", "2025-03-05", "Ola", "web", "OpenCorp", "price"),
        ("SECD1", "SEC1", "SecretDeal", "Sales Pipeline", "Lost", "lost", 900,
         "2025-02-01", "2025-03-01", "SecretOwner", "SecretSource", "SecretCorp",
         "SecretReason"),
        ("SECD2", "SEC1", "SecretDeal 2", "Sales Pipeline", "Proposal", "open", 800,
         "2025-02-01", None, "SecretOwner", "SecretSource", "SecretCorp", None),
        ("SECD3", "SEC1", "SecretDeal 3", "SecretPipeline", "SecretStage", "open", 700,
         "2025-02-01", None, "SecretOwner", "SecretSource", "SecretCorp", None),
        ("GHOST", "NOPE", "SecretGhostDeal", "Sales Pipeline", "Won", "won", 700,
         "2025-02-01", "2025-03-01", "SecretGhost", "SecretSource", "SecretGhostCorp", None),
    ],
)  # fmt: skip
ORDERS = frame(
    "order_id account_id ordered_at amount product",
    [
        ("OKO1", "OK1", "2025-03-02", 100, "Basic"),
        ("SECO1", "SEC1", "2025-03-02", 900, "SecretProduct"),
        ("GHO1", "NOPE", "2025-03-02", 700, "SecretGhostProduct"),
    ],
)
SURVEYS = frame(
    "response_id account_id responded_at survey_type score comment channel",
    [
        ("OKS1", "OK1", "2025-03-03", "nps", 9, "pricing is fair", "email"),
        ("SECS1", "SEC1", "2025-03-03", "nps", 2, "pricing SecretComment", "SecretChannel"),
        ("GHS1", "NOPE", "2025-03-03", "nps", 1, "pricing SecretGhost", "SecretGhostChannel"),
    ],
)
ACTIVITIES = frame(
    "activity_id account_id deal_id type direction department occurred_at owner",
    [
        ("OKA1", "OK1", "OKD1", "email", "outbound", "sales", "2025-02-10", "Ola"),
        ("SECA1", "SEC1", "SECD1", "SecretType", "outbound", "sales", "2025-02-10", "SecretOwner"),
    ],
)
OWNERS = frame(
    "owner team manager region",
    [
        ("Ola", "Open Team", "Mo", "EMEA"),
        ("SecretOwner", "SecretTeam", "SecretManager", "EMEA"),
    ],
)
PRODUCTS = frame(
    "product series",
    [("Basic", "Core"), ("SecretProduct", "SecretSeries")],
)
TICKETS = frame(
    "ticket_id account_id opened_at first_response_at channel priority",
    [
        ("OKT1", "OK1", "2025-02-11", "2025-02-11 02:00", "email", "low"),
        ("SECT1", "SEC1", "2025-02-11", "2025-02-11 05:00", "SecretChannel", "high"),
    ],
)


@pytest.fixture
def canary(con):
    warehouse.load_frames(
        con,
        {
            "accounts": ACCOUNTS,
            "pipeline_stages": STAGES,
            "deals": DEALS,
            "orders": ORDERS,
            "surveys": SURVEYS,
            "activities": ACTIVITIES,
            "tickets": TICKETS,
            "owners": OWNERS,
            "products": PRODUCTS,
        },
        source="test",
    )
    return con


CANARY_EXTRA = {
    "account_id": "SEC1",  # a manager drilling into an account outside the grant
    "as_of": date(2025, 12, 31),
    "search": None,
    "survey_type": None,
    "step_number": 1,
}
DIMENSIONS = {
    "funnel_by_stage": ["owner", "segment", "source"],
    "satisfaction_breakdown_periods": ["owner", "segment", "region", "channel"],
}


def _canary_runs() -> list:
    return [
        pytest.param(name, dimension, id=f"{name}-{dimension}" if dimension else name)
        for name in sorted(set(queries.available()) - UNSCOPED)
        for dimension in DIMENSIONS.get(name, [None])
    ]


@pytest.mark.parametrize(("name", "dimension"), _canary_runs())
def test_nothing_from_outside_the_grant_reaches_a_manager(canary, name, dimension):
    extra = dict(CANARY_EXTRA, **({"dimension": dimension} if dimension else {}))
    # Pickers and option lists (pipelines, stages, competitors, owners, teams, products,
    # segments) are query files too; a pipeline query is also asked about the other segment's
    # pipeline by name, as a hand-made request could.
    pipelines = (
        [{}, {"pipeline": "SecretPipeline"}] if "pipeline" in queries.parameters(name) else [{}]
    )
    for filters in (Filters(), Filters(date(2025, 1, 1), date(2025, 12, 31))):
        for pipeline in pipelines:
            params = _params(name, filters.within(SMB), **extra, **pipeline)
            mine = queries.run(canary, name, params)
            leaked = [v for v in _texts(mine) if "secret" in v.lower()]
            assert leaked == [], f"{name} {pipeline} shows {leaked[:3]} to a manager granted SMB"


def test_the_funnel_picker_offers_only_pipelines_with_a_deal_in_the_grant(canary):
    # By hand: SMB holds OKD1 and OKD2, both in Sales Pipeline; SecretPipeline's only deal is
    # SECD3 (Enterprise), so the manager is offered Sales Pipeline alone (issue 21 saw
    # "SecretPipeline (0 deals)"); unscoped, both are offered.
    mine = queries.run(canary, "funnel_pipelines", Filters().within(SMB).params())
    assert mine["pipeline"].tolist() == ["Sales Pipeline"]
    assert mine["count_deals_any"].tolist() == [2]
    everyone = queries.run(canary, "funnel_pipelines", Filters().params())
    assert set(everyone["pipeline"].dropna()) == {"Sales Pipeline", "SecretPipeline"}


@pytest.mark.parametrize(
    ("name", "dimension"),
    [
        ("filter_options", None),
        ("competitor_names", None),
        ("competitor_summary", None),
        ("health_account_timeline", None),
        ("health_accounts", None),
        ("satisfaction_verbatims", None),
        ("satisfaction_breakdown_periods", "owner"),
        ("funnel_by_stage", "owner"),
        ("funnel_pipelines", None),
        ("funnel_time_in_stage", None),
    ],
)
def test_the_canary_is_visible_without_a_grant(canary, name, dimension):
    """The test above could pass on empty results; unscoped, these show the secret rows."""
    extra = dict(CANARY_EXTRA, **({"dimension": dimension} if dimension else {}))
    if name == "funnel_time_in_stage":
        extra["pipeline"] = "SecretPipeline"
    admin = queries.run(canary, name, _params(name, Filters(), **extra))
    assert any("secret" in v.lower() for v in _texts(admin))


# ---------------------------------------------------------------- URLs cannot widen


def test_a_url_cannot_widen_the_grant():
    url = {"segment": ["Enterprise", "SMB"], "region": ["APAC"], "owner": ["Ann"]}
    chosen = Filters.from_query_params(url)
    scoped = chosen.within(SMB)
    assert scoped.params()["segments"] == ["SMB"]
    assert chosen.to_query_params().get("segment") == ["Enterprise", "SMB"]  # URL as typed
    only_outside = Filters.from_query_params({"segment": ["Enterprise"]}).within(SMB)
    assert only_outside.params()["segments"] == []  # nothing, not "all"
    # a data module dropping the choices (e.g. "all segments" for a breakdown) stays inside
    from dataclasses import replace

    assert replace(scoped, segments=()).params()["segments"] == ["SMB"]
    assert replace(Filters().within(NOTHING), segments=("SMB",)).params()["segments"] == []
