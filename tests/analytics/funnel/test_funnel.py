"""The funnel: golden tests of the reached rule, window, breakdowns, time in stage, drop-off,
lifecycle and the CLI section; invariants on the sample; an AppTest of the page.

The hand-made company (period Q1 2025 = 2025-01-01 .. 2025-03-31):

Pipeline "Sales": steps A(1) B(2) C(3) D(4) Closed Won(5); Closed Lost is no step.
Pipeline "Renewal": steps B(1) Renewed(2, won) - a stage named B in another pipeline.

deal pipe  owner acct status stage       created  closed  amount history
S1   Sales Ann   X1   won    Closed Won  01-01    01-31   100    A 01-01, B 01-05, C 01-10,
                                                                 D 01-20, Closed Won 01-31
S2   Sales Ann   X1   won    Closed Won  01-02    03-01   200    none (won: every step)
S3   Sales Ann   X1   open   C           01-03    -       300    none (open: up to C)
S4   Sales Ann   X1   lost   Closed Lost 01-04    01-20   400    none (lost: first step only)
S5   Sales Bob   X2   lost   Closed Lost 01-05    01-30   500    A 01-05, B 01-06,
                                                                 Closed Lost 01-30
S6   Sales Bob   X2   open   D           02-01    -       600    A 02-01, B 02-03, D 02-20
                                                                 (C skipped)
S7   Sales Bob   X9   open   C           02-10    -       700    A 02-10, B 02-12, C 02-15,
                                                                 B 02-20, C 03-01 (went back)
S8   Sales Ann   X6   won    Closed Won  2024-12-01 01-15 800    none (created before the period)
R1   Renewal Ann X1   won    Renewed     01-10    01-15   900    B 01-10 (Renewal B, not Sales B)
S9   (none) Ann  X1   open   A           01-15    -       50     none (two pipelines: unplaced)

Furthest step reached (no window): S1 5, S2 5, S3 3, S4 1, S5 2, S6 4, S7 3.
"""

from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.analytics import kpis as kpi_report
from dashboard.analytics.funnel import charts as funnel_charts
from dashboard.analytics.funnel import data as funnel
from dashboard.core import queries, tables
from dashboard.core.filters import Filters
from dashboard.store import summaries, warehouse
from tests.conftest import APP, frame, loaded, page

Q1 = Filters(date(2025, 1, 1), date(2025, 3, 31))
SALES = "Sales"

STAGES = frame(
    "pipeline stage stage_order status",
    [
        ("Sales", "A", 1, "open"),
        ("Sales", "B", 2, "open"),
        ("Sales", "C", 3, "open"),
        ("Sales", "D", 4, "open"),
        ("Sales", "Closed Won", 5, "won"),
        ("Sales", "Closed Lost", 6, "lost"),
        ("Renewal", "B", 1, "open"),
        ("Renewal", "Renewed", 2, "won"),
        ("Renewal", "Not renewed", 3, "lost"),
    ],
)
ACCOUNTS = frame(
    "account_id account_name segment region owner created_at",
    [
        ("X1", "=Acme", "Enterprise", "EMEA", "Ann", "2025-01-01"),  # name starts like a formula
        ("X2", "Beta", "SMB", "APAC", "Bob", "2025-01-02"),
        ("X3", "Gamma", "Mid-Market", "EMEA", "Ann", "2025-01-03"),
        ("X4", "Delta", "SMB", "EMEA", "Bob", "2025-01-04"),
        ("X5", "Epsilon", "SMB", "APAC", "Bob", "2025-02-01"),
        ("X6", "Zeta", "SMB", "APAC", "Ann", "2024-06-01"),
    ],
)
DEALS = frame(
    "deal_id account_id pipeline stage status amount created_at closed_at owner source",
    [
        ("S1", "X1", "Sales", "Closed Won", "won", 100, "2025-01-01", "2025-01-31", "Ann", "Web"),
        ("S2", "X1", "Sales", "Closed Won", "won", 200, "2025-01-02", "2025-03-01", "Ann", "Web"),
        ("S3", "X1", "Sales", "C", "open", 300, "2025-01-03", None, "Ann", "Event"),
        ("S4", "X1", "Sales", "Closed Lost", "lost", 400, "2025-01-04", "2025-01-20", "Ann", "Web"),
        ("S5", "X2", "Sales", "Closed Lost", "lost", 500, "2025-01-05", "2025-01-30", "Bob", "Web"),
        ("S6", "X2", "Sales", "D", "open", 600, "2025-02-01", None, "Bob", "Event"),
        ("S7", "X9", "Sales", "C", "open", 700, "2025-02-10", None, "Bob", None),
        ("S8", "X6", "Sales", "Closed Won", "won", 800, "2024-12-01", "2025-01-15", "Ann", "Web"),
        ("R1", "X1", "Renewal", "Renewed", "won", 900, "2025-01-10", "2025-01-15", "Ann", "Web"),
        ("S9", "X1", None, "A", "open", 50, "2025-01-15", None, "Ann", "Web"),
    ],
)  # fmt: skip
HISTORY = frame(
    "deal_id stage entered_at",
    [
        ("S1", "A", "2025-01-01"),
        ("S1", "B", "2025-01-05"),
        ("S1", "C", "2025-01-10"),
        ("S1", "D", "2025-01-20"),
        ("S1", "Closed Won", "2025-01-31"),
        ("S5", "A", "2025-01-05"),
        ("S5", "B", "2025-01-06"),
        ("S5", "Closed Lost", "2025-01-30"),
        ("S6", "A", "2025-02-01"),
        ("S6", "B", "2025-02-03"),
        ("S6", "D", "2025-02-20"),
        ("S7", "A", "2025-02-10"),
        ("S7", "B", "2025-02-12"),
        ("S7", "C", "2025-02-15"),
        ("S7", "B", "2025-02-20"),
        ("S7", "C", "2025-03-01"),
        ("R1", "B", "2025-01-10"),
    ],
)
ACTIVITIES = frame(
    "activity_id account_id deal_id occurred_at",
    [
        ("T1", "X1", None, "2025-01-02"),
        ("T2", None, "S5", "2025-01-06"),  # X2 engaged through its deal only
        ("T3", "X4", None, "2025-01-05"),
    ],
)
ORDERS = frame("order_id account_id ordered_at amount", [("O1", "X3", "2025-03-01", 10)])
SURVEYS = frame(
    "response_id account_id responded_at survey_type score",
    [
        ("N1", "X1", "2025-02-01", "nps", 9),
        ("N2", "X4", "2025-02-01", "nps", 10),  # a promoter who never bought
        ("N3", "X2", "2025-02-01", "nps", 8),
        ("C1", "X3", "2025-02-01", "csat", 5),
    ],
)


def load_funnel_company(con) -> None:
    warehouse.load_frames(
        con,
        {
            "pipeline_stages": STAGES,
            "accounts": ACCOUNTS,
            "deals": DEALS,
            "deal_stage_history": HISTORY,
            "activities": ACTIVITIES,
            "orders": ORDERS,
            "surveys": SURVEYS,
        },
        source="test",
    )


@pytest.fixture
def golden(con):
    load_funnel_company(con)
    return con


def by_stage(con, filters=Q1, pipeline=SALES, window_days=None, dimension=None):
    params = {
        **filters.params(),
        "pipeline": pipeline,
        "window_days": window_days,
        "dimension": dimension,
    }
    return queries.run(con, "funnel_by_stage", params)


def reached(frame: pd.DataFrame) -> list[int]:
    return frame.sort_values("step_number")["count_reached"].tolist()


# --- the reached rule ---------------------------------------------------------------------


def test_reached_follows_history_inference_lost_skips_and_going_back(golden):
    rows = by_stage(golden)
    assert rows["step_name"].tolist() == ["A", "B", "C", "D", "Closed Won"]
    # furthest: S1 5 (history), S2 5 (won, no history), S3 3 (open at C, no history),
    # S4 1 (lost, no history: first step only), S5 2 (lost after B; Closed Lost is no step),
    # S6 4 (history skips C: D implies C), S7 3 (went back to B, counted once per step).
    # >=1: 7; >=2: all but S4 = 6; >=3: S1 S2 S3 S6 S7 = 5; >=4: S1 S2 S6 = 3; >=5: S1 S2 = 2.
    assert reached(rows) == [7, 6, 5, 3, 2]
    # amounts: 2800 in all; -S4 400 = 2400; -S5 500 = 1900; S1+S2+S6 = 900; S1+S2 = 300.
    assert rows["amount_reached"].tolist() == [2800.0, 2400.0, 1900.0, 900.0, 300.0]
    assert rows["group_value"].unique().tolist() == ["All deals"]
    # the group's closed deals (for the win rate): S1 S2 won, S4 S5 lost.
    assert (rows["count_won"].iloc[0], rows["count_lost"].iloc[0]) == (2, 2)


def test_each_deal_counts_once_per_step_even_after_going_back(golden):
    # Only S7 on X9's (unknown) account: history A B C B C -> 1 deal at A, B and C, 0 beyond.
    alone = Filters(Q1.start_date, Q1.end_date, owners=("Bob",))
    rows = by_stage(golden, alone)
    assert reached(rows) == [3, 3, 2, 1, 0]  # Bob: S5 (2), S6 (4), S7 (3)


def test_pipelines_never_mix(golden):
    renewal = by_stage(golden, pipeline="Renewal")
    # R1 only: its history row "B" is Renewal step 1, not Sales step 2; won -> step 2.
    assert renewal["step_name"].tolist() == ["B", "Renewed"]
    assert reached(renewal) == [1, 1]
    sales_b = by_stage(golden).set_index("step_name").loc["B", "count_reached"]
    assert sales_b == 6  # R1 is not among the Sales deals that reached B


def test_deals_are_counted_by_creation_date(golden):
    all_time = by_stage(golden, Filters())
    assert reached(all_time) == [8, 7, 6, 4, 3]  # S8 (created 2024, won) joins every step
    january = by_stage(golden, Filters(date(2025, 1, 1), date(2025, 1, 31)))
    assert reached(january) == [5, 4, 3, 2, 2]  # S1 S2 S3 S4 S5


def test_conversion_window_counts_only_stages_entered_in_time(golden):
    # Days from creation: S1 B 4, C 9, D 19, won 30 (the boundary); S2 won after 58 days;
    # S3 is at C with no date (undated evidence drops out); S5 B 1; S6 B 2, D 19; S7 C 5.
    # 30 days: furthest S1 5, S2 1, S3 1, S4 1, S5 2, S6 4, S7 3.
    assert reached(by_stage(golden, window_days=30)) == [7, 4, 3, 2, 1]
    # 29 days: S1 won on day 30 no longer counts, so S1 stops at D.
    assert reached(by_stage(golden, window_days=29)) == [7, 4, 3, 2, 0]
    # 3 days: S1 A only (B on day 4), S5 B, S6 B, S7 B -> B 3; nothing further.
    assert reached(by_stage(golden, window_days=3)) == [7, 3, 0, 0, 0]


def test_conversions_of_previous_and_of_first(golden, monkeypatch):
    # S4 (lost, no history, stage "Closed Lost") has no known last stage: left out of every
    # conversion, so A -> B is 6 of the 6 known deals at A (before: 6 / 7, S4 at A only).
    # 1 unknown beside 6 known could move A -> B by 1/7 = 14 points (> 5): unknown.
    steps = funnel.funnel_steps(golden, Q1, SALES)
    assert steps["conversion_unknown"].tolist() == [False, True, True, True, True]
    assert steps["conversion_from_previous"].isna().all()
    first = steps["conversion_from_first"].tolist()  # of first: only the won step is exact
    assert pd.isna(first[1]) and first[0] == 1 and first[4] == pytest.approx(2 / 7)
    monkeypatch.setattr(funnel, "UNKNOWN_SHIFT_MAX", 1.0)  # every conversion shown
    steps = funnel.funnel_steps(golden, Q1, SALES)
    prev = steps["conversion_from_previous"].tolist()
    first = steps["conversion_from_first"].tolist()
    assert pd.isna(prev[0]) and prev[1:] == pytest.approx([6 / 6, 5 / 6, 3 / 5, 2 / 3])
    assert first == pytest.approx([1, 6 / 7, 5 / 7, 3 / 7, 2 / 7])
    # Went no further: 7-6, 6-5, 5-3, 3-2; the won step ends the funnel. At A, 7-6 = 1 is S4,
    # whose last stage is unknown (lost, no history): no leak of A (issue 19), so 0.
    assert steps["count_dropped"].tolist()[:4] == [0, 1, 2, 1]
    assert pd.isna(steps["count_dropped"].iloc[4])
    leak = funnel.biggest_leak(steps)
    assert leak["step_name"] == "C" and leak["count_dropped"] == 2  # S3 and S7 stop at C


def test_a_pipeline_with_no_deals_gives_zeros_not_errors(golden):
    none = by_stage(golden, Filters(date(2020, 1, 1), date(2020, 1, 31)))
    assert none.empty  # no deal, so no group: the page says so in words
    steps = funnel.funnel_steps(golden, Filters(date(2020, 1, 1), date(2020, 1, 31)), SALES)
    assert steps.empty


# --- steps, pipelines and the summaries ---------------------------------------------------


def test_pipelines_biggest_first_and_unplaced_deals_counted(golden):
    frame_ = queries.run(golden, "funnel_pipelines", Q1.params())
    rows = list(frame_.itertuples(index=False, name=None))
    # Sales: S1-S7 created in Q1, S8 too any time; Renewal: R1; S9 has no pipeline while two
    # pipelines exist, so no funnel can place it.
    assert rows[0] == ("Sales", 5, 7, 8)
    assert rows[1] == ("Renewal", 2, 1, 1)
    assert pd.isna(rows[2][0]) and rows[2][1:] == (0, 1, 1)
    assert funnel.default_pipeline(golden, Q1) == "Sales"
    assert funnel.pipeline_picker(golden, Q1).unplaced == 1


def test_default_pipeline_follows_the_filters(golden):
    renewal_only = Filters(date(2025, 1, 10), date(2025, 1, 10))  # only R1 was created then
    assert funnel.default_pipeline(golden, renewal_only) == "Renewal"


def test_a_deal_without_pipeline_joins_the_only_pipeline(con):
    warehouse.load_frames(
        con,
        {
            "pipeline_stages": STAGES[STAGES["pipeline"] == "Sales"],
            "deals": DEALS[DEALS["deal_id"] == "S9"],
        },
        source="test",
    )
    assert reached(by_stage(con)) == [1, 0, 0, 0, 0]  # S9, open at A, is now a Sales deal


def test_steps_put_won_last_and_merge_several_won_stages(con):
    stages = frame(
        "pipeline stage stage_order status",
        [
            ("P", "Lost", 0, "lost"),
            ("P", "Won A", 3, "won"),
            ("P", "Second", 2, "open"),
            ("P", "First", 1, "open"),
            ("P", "Won B", 4, "won"),
        ],
    )
    deals = frame(
        "deal_id pipeline stage status created_at closed_at",
        [("W", "P", "Won B", "won", "2025-01-01", "2025-01-02")],
    )
    warehouse.load_frames(con, {"pipeline_stages": stages, "deals": deals}, source="test")
    steps = con.execute(
        "select stage, step_number, step_name, is_won_step from summary_funnel_pipeline_steps"
        " order by step_number, stage"
    ).fetchall()
    assert steps == [
        ("First", 1, "First", False),
        ("Second", 2, "Second", False),
        ("Won A", 3, "Won A", True),
        ("Won B", 3, "Won A", True),
    ]
    assert reached(by_stage(con, Filters(), pipeline="P")) == [1, 1, 1]


def test_steps_summary_is_built_before_the_entries_that_read_it():
    names = summaries.available()
    assert names.index("funnel_pipeline_steps") < names.index("funnel_stage_entries")


# --- breakdowns and trend -----------------------------------------------------------------


def test_breakdown_by_owner_segment_and_source(golden):
    owners = by_stage(golden, dimension="owner")
    by_owner = {g: reached(f) for g, f in owners.groupby("group_value")}
    # Ann: S1 5, S2 5, S3 3, S4 1; Bob: S5 2, S6 4, S7 3.
    assert by_owner == {"Ann": [4, 3, 3, 2, 2], "Bob": [3, 3, 2, 1, 0]}
    segments = by_stage(golden, dimension="segment")
    by_segment = {g: reached(f) for g, f in segments.groupby("group_value")}
    # X1 Enterprise: S1-S4; X2 SMB: S5 S6; S7's account X9 is unknown: "(not set)".
    assert by_segment == {
        "Enterprise": [4, 3, 3, 2, 2],
        "SMB": [2, 2, 1, 1, 0],  # S5 stops at B (2), S6 at D (4)
        "(not set)": [1, 1, 1, 0, 0],
    }
    sources = by_stage(golden, dimension="source")
    assert {g: reached(f)[0] for g, f in sources.groupby("group_value")} == {
        "Web": 4,  # S1 S2 S4 S5
        "Event": 2,  # S3 S6
        "(not set)": 1,  # S7
    }
    won = segments[segments["is_won_step"]].set_index("group_value")
    assert won.loc["Enterprise", "count_won"] == 2 and won.loc["SMB", "count_lost"] == 1


def test_breakdown_table_marks_best_and_worst_with_counts(golden, monkeypatch):
    monkeypatch.setattr(funnel, "MIN_COUNT", 1)
    result = funnel.breakdown(golden, Q1, SALES, "owner")
    table = result.table.set_index("Owner")
    # Ann's S4 has no known last stage: 1 beside 3 known could move each of her stage
    # conversions by 25 points or more, so they are unknown (never best or worst); her
    # created -> won (2 of 4) is exact. Bob has none unknown.
    assert table.loc["Ann"].tolist() == ["4", *["unknown"] * 4, "50.0% · 2/4"]
    assert "1 lost deal in all" in funnel.breakdown_unknown_words(result)
    monkeypatch.setattr(funnel, "UNKNOWN_SHIFT_MAX", 1.0)  # every conversion shown
    result = funnel.breakdown(golden, Q1, SALES, "owner")
    table = result.table.set_index("Owner")
    marks = result.marks.set_index(result.table["Owner"])
    assert list(table.columns) == ["Deals", "→ B", "→ C", "→ D", "→ Closed Won", "Created → won"]
    # Ann: B 3/3 (S4 left out), C 3/3, D 2/3, won 2/2, created->won 2/4. Bob: 3/3, 2/3, 1/2,
    # 0/1, 0/3.
    assert table.loc["Ann"].tolist() == [
        "4",
        "100.0% · 3/3",
        "100.0% · 3/3",
        "66.7% · 2/3",
        "100.0% · 2/2",
        "50.0% · 2/4",
    ]
    assert table.loc["Bob", "→ Closed Won"] == "0.0% · 0/1"
    assert marks.loc["Ann"].tolist() == ["", "", "", "best", "best", "best", "best"]
    assert marks.loc["Bob"].tolist() == ["", "", "", "worst", "worst", "worst", "worst"]


def test_breakdown_leaves_small_groups_unmarked(golden):
    result = funnel.breakdown(golden, Q1, SALES, "owner")  # MIN_COUNT 20: every group small
    assert set(result.marks.iloc[:, 2:].to_numpy().ravel()) == {"small"}
    styled = funnel_charts.breakdown_styler(result.table, result.marks).to_html()
    assert "▲" not in styled and "#999999" in styled


def test_breakdown_refuses_unknown_dimensions(golden):
    with pytest.raises(ValueError, match="No breakdown by"):
        funnel.breakdown(golden, Q1, SALES, "deal_id; drop table deals")


def test_trend_by_creation_month(golden):
    frame_ = funnel.trend(golden, Q1, SALES)
    rows = frame_.set_index(["series", frame_["month_start"].dt.strftime("%Y-%m")])
    # January: S1-S5 (won S1 S2, lost S4 S5); February: S6 S7 (nothing closed).
    assert rows.loc[("Created → won", "2025-01"), "rate"] == pytest.approx(2 / 5)
    assert rows.loc[("Created → won", "2025-02"), "rate"] == 0
    assert rows.loc[("Win rate", "2025-01"), "rate"] == pytest.approx(0.5)  # 2 / (2 + 2)
    assert pd.isna(rows.loc[("Win rate", "2025-02"), "rate"])  # nothing closed: no rate
    # A -> B in February: S6 and S7 both reached B: 2 of 2.
    feb = rows.loc[("A → B", "2025-02")]
    assert (feb["rate"], feb["numerator"], feb["denominator"]) == (1.0, 2, 2)
    assert frame_["is_small"].all()  # a handful of deals: all greyed
    created = funnel.deals_created_by_month(frame_)
    assert created["count_created"].tolist() == [5, 2]


# --- time in stage, sales cycle, drop-off -------------------------------------------------


def test_time_in_stage(golden):
    rows = queries.run(golden, "funnel_time_in_stage", {**Q1.params(), "pipeline": SALES})
    # Deals with history only (S2 S3 S4 have none). Days to the next later step entered:
    # A: S1 4, S5 1, S6 2, S7 2 -> median 2, p75 of [1,2,2,4] = 2 + 0.25 * 2 = 2.5
    # B: S1 5, S6 17 (C skipped: D on 02-20), S7 3 (02-12 -> C 02-15; going back later does
    #    not restart it) -> median 5, p75 of [3,5,17] = 5 + 0.5 * 12 = 11. S5 was lost in B.
    # C: S1 10. D: S1 11 (to the win). S6 is still open in D, S7 in C.
    assert rows["step_name"].tolist() == ["A", "B", "C", "D"]
    assert rows["count_deals_measured"].tolist() == [4, 3, 1, 1]
    assert rows["median_days"].tolist() == [2.0, 5.0, 10.0, 11.0]
    assert rows["p75_days"].tolist() == [2.5, 11.0, 10.0, 11.0]


def test_sales_cycle_of_won_deals_closed_in_the_period(golden):
    rows = queries.run(golden, "funnel_sales_cycle", {**Q1.params(), "pipeline": SALES})
    # Won and closed in Q1: S1 30 days, S8 45 (created in 2024), S2 58. R1 is Renewal.
    assert rows["deal_id"].tolist() == ["S1", "S8", "S2"]
    assert rows["cycle_days"].tolist() == [30.0, 45.0, 58.0]
    cycle = funnel.sales_cycle(golden, Q1, SALES)
    assert (cycle.median_days, cycle.p75_days) == (45.0, 51.5)  # 45 + 0.5 * 13


def dropoff(con, step, window_days=None, row_limit=None):
    params = {
        **Q1.params(),
        "pipeline": SALES,
        "window_days": window_days,
        "step_number": step,
        "row_limit": row_limit,
    }
    return queries.run(con, "funnel_dropoff", params)


def test_dropoff_lists_deals_that_went_no_further(golden):
    assert dropoff(golden, 1).empty  # S4's last stage is unknown: listed apart (step 0)
    assert dropoff(golden, 0)["deal_id"].tolist() == ["S4"]
    assert dropoff(golden, 2)["deal_id"].tolist() == ["S5"]
    assert dropoff(golden, 4)["deal_id"].tolist() == ["S6"]
    at_c = dropoff(golden, 3)
    assert at_c["deal_id"].tolist() == ["S7", "S3"]  # both open: larger amount first
    s7, s3 = at_c.iloc[0], at_c.iloc[1]
    assert s7["account_name"] == "X9"  # not in accounts: its id stands in for the name
    assert s7["entered_step_at"] == pd.Timestamp("2025-02-15")  # first entry into C
    assert s7["stage_path"] == (
        "A 2025-02-10 → B 2025-02-12 → C 2025-02-15 → B 2025-02-20 → C 2025-03-01"
    )
    assert pd.isna(s3["entered_step_at"]) and s3["stage_path"] == "A 2025-01-03"
    assert (s3["account_name"], s3["owner"], s3["amount"]) == ("=Acme", "Ann", 300.0)
    lost = dropoff(golden, 2).iloc[0]
    assert lost["stage_path"] == "A 2025-01-05 → B 2025-01-06 → Closed Lost 2025-01-30"
    assert lost["closed_at"] == pd.Timestamp("2025-01-30")


def test_lost_deals_with_no_known_last_stage_are_no_leak_of_the_first_step(golden):
    # S4 was lost with no history and "Closed Lost" (no step) as its stage: its last stage is
    # unknown. S5 was lost too, but its history shows B: known. Issue 19 point 4.
    steps = funnel.funnel_steps(golden, Q1, SALES)
    assert steps["count_stop_unknown"].iloc[0] == 1
    # Reached (Q1 cohort S1-S7): A 7, B 6, C 5, D 3, Won 2. Went no further: A 7-6 = 1 was
    # S4 alone, now 0; B 6-5 = 1 (S5); C 5-3 = 2 (S3, S7); D 3-2 = 1 (S6).
    assert steps["count_dropped"].tolist()[:4] == [0, 1, 2, 1]
    assert dropoff(golden, 1).empty
    assert dropoff(golden, funnel.STOP_UNKNOWN)["deal_id"].tolist() == ["S4"]
    choices = funnel.dropoff_choices(steps)
    assert choices[funnel.STOP_UNKNOWN] == "Last stage unknown (1 lost deal)"
    # C leads with 2, but S4 could have been lost at B or D (1 each): 2 > 1 + 1 is false, so
    # the headline claims no biggest leak.
    assert funnel.known_leak(steps) is None
    words = funnel.headline(steps, "Q1", None)
    assert "biggest leak" not in words
    assert "where most deals leak is unknown: 1 lost deal has no known last stage" in words
    words = funnel.stop_unknown_words(steps)
    assert words.startswith("Last stage unknown: 1 lost deal (14.3% of those created).")
    assert "no stage-to-stage conversion can be known, and none is shown" in words
    caption = funnel.dropoff_caption(dropoff(golden, 0), choices[funnel.STOP_UNKNOWN])
    assert caption.startswith("Lost, last stage unknown: 1 deal, $400.")


def test_a_leak_bigger_than_any_unknown_could_change_is_still_named():
    # A dropped 10, B 3, 2 unknown: even both unknowns at B (3 + 2 = 5) leave A the biggest.
    steps = pd.DataFrame(
        {
            "step_number": [1, 2, 3],
            "step_name": ["A", "B", "Won"],
            "is_won_step": [False, False, True],
            "count_reached": [20, 8, 5],
            "conversion_from_first": [1.0, 0.4, 0.25],
            "count_dropped": [10.0, 3.0, None],
            "count_stop_unknown": [2, 2, 2],
        }
    )
    assert funnel.known_leak(steps)["step_name"] == "A"
    assert "the biggest leak is after A: 10 deals" in funnel.headline(steps, "Q1", None)


def test_dropoff_with_a_window_matches_the_windowed_funnel(golden):
    # 30 days: S2 (won after 58 days), S3 (undated C) and S4 stop at A: 7 - 4 = 3; S4's
    # last stage is unknown, listed apart (step 0).
    assert sorted(dropoff(golden, 1, 30)["deal_id"]) == ["S2", "S3"]
    assert dropoff(golden, 0, 30)["deal_id"].tolist() == ["S4"]
    deals = funnel.dropoff(golden, Q1, SALES, 1, 30)
    caption = funnel.dropoff_caption(deals, "A (2 deals)")
    assert "2 deals" in caption and "0 lost, 1 still open" in caption and "1 won later" in caption


def test_dropoff_first_rows_carry_the_whole_lists_counts(golden):
    # At C: S7 (open, 700) then S3 (open, 300); the first row alone still counts both.
    first = dropoff(golden, 3, row_limit=1)
    assert first["deal_id"].tolist() == ["S7"]
    row = first.iloc[0]
    assert (row["count_deals"], row["count_lost"], row["count_open"]) == (2, 0, 2)
    assert row["count_with_amount"] == 2 and row["amount_total"] == 1000.0
    full = funnel.dropoff(golden, Q1, SALES, 3)
    assert funnel.dropoff_caption(first, "C (2 deals)") == funnel.dropoff_caption(full, "C")
    assert funnel.dropoff_count(first) == 2


def test_dropoff_download_is_formula_safe(golden):
    from dashboard.core import downloads

    table = funnel.dropoff_table(funnel.dropoff(golden, Q1, SALES, 3))
    text = downloads.safe_csv(table).decode("utf-8-sig")
    assert "'=Acme" in text and ",=Acme" not in text


def test_dropoff_table_leads_with_the_deal_and_writes_dates_for_people(golden):
    # Issue 19 point 7: the deal was the 10th of 11 columns (cut at 1440 px) and the path's
    # dates ISO text. S7 at C: its path "A 2025-02-10 → B 2025-02-12 → C 2025-02-15 → ..."
    table = funnel.dropoff_table(funnel.dropoff(golden, Q1, SALES, 3))
    assert list(table.columns[:2]) == ["Deal", "Deal ID"] and table.columns[-1] == "Stage dates"
    s7 = table.iloc[0]
    assert s7["Stage dates"] == (
        "A 10 Feb 2025 → B 12 Feb 2025 → C 15 Feb 2025 → B 20 Feb 2025 → C 1 Mar 2025"
    )
    assert tables.kind_of("Created", table["Created"]) == "date"  # written "10 Feb 2025"


# --- lifecycle and the CLI ------------------------------------------------------------------


def test_lifecycle(golden):
    rows = queries.run(golden, "funnel_lifecycle", Q1.params())
    # Identified in Q1: X1-X5 (X6 was created in 2024).
    # X1: activity, deals, 3 won deals (repeat), NPS 9 -> promoter (6)
    # X2: engaged through its deal S5's activity, deals, nothing won -> opportunity (3)
    # X3: one order, nothing else -> customer (4); engaged and opportunity by implication
    # X4: activity and NPS 10 but never bought -> engaged (2); not counted as promoter
    # X5: nothing -> identified (1)
    assert rows["step_name"].tolist() == [
        "Identified",
        "Engaged",
        "Opportunity",
        "Customer",
        "Repeat buyer",
        "Promoter",
    ]
    assert rows["count_reached"].tolist() == [5, 4, 3, 2, 1, 1]
    # own condition alone: engaged X1 X2 X4; opportunity X1 X2; customer X1 X3;
    # repeat X1; promoter X1 X4.
    assert rows["count_condition_met"].tolist() == [5, 3, 2, 2, 1, 2]
    steps = funnel.lifecycle(golden, Q1)
    assert steps["conversion_from_previous"].tolist()[1:] == pytest.approx(
        [4 / 5, 3 / 4, 2 / 3, 1 / 2, 1 / 1]
    )
    assert "1 more account meets “Promoter”" in funnel.lifecycle_note(steps)
    smb = queries.run(golden, "funnel_lifecycle", Filters(segments=("SMB",)).params())
    # SMB, all time: X2 (3), X4 (2), X5 (1) and X6 (created 2024; S8 won once: customer, 4).
    assert smb["count_reached"].tolist() == [4, 3, 2, 1, 0, 0]


def test_kpi_rows_for_the_cli(golden, monkeypatch):
    # S4's unknown last stage hides every conversion but created -> won by default (see
    # test_conversions_of_previous_and_of_first); here all shown, S4 left out of A -> B.
    rows = kpi_report.report(golden, Q1)["funnel"]
    assert [r["conversion_from_previous"] for r in rows] == [None] * 5
    assert rows[4]["conversion_from_first"] == pytest.approx(2 / 7)
    monkeypatch.setattr(funnel, "UNKNOWN_SHIFT_MAX", 1.0)
    rows = kpi_report.report(golden, Q1)["funnel"]
    assert rows == [
        {
            "stage": "A",
            "reached": 7,
            "conversion_from_previous": None,
            "conversion_from_first": 1.0,
        },
        {
            "stage": "B",
            "reached": 6,
            "conversion_from_previous": pytest.approx(6 / 6),
            "conversion_from_first": pytest.approx(6 / 7),
        },
        {
            "stage": "C",
            "reached": 5,
            "conversion_from_previous": pytest.approx(5 / 6),
            "conversion_from_first": pytest.approx(5 / 7),
        },
        {
            "stage": "D",
            "reached": 3,
            "conversion_from_previous": pytest.approx(3 / 5),
            "conversion_from_first": pytest.approx(3 / 7),
        },
        {
            "stage": "Closed Won",
            "reached": 2,
            "conversion_from_previous": pytest.approx(2 / 3),
            "conversion_from_first": pytest.approx(2 / 7),
        },
    ]
    assert funnel.kpi_rows(golden, Filters(date(2020, 1, 1), date(2020, 1, 2))) == []


def test_kpis_cli_prints_the_funnel(con, db_path, capsys):
    from dashboard import cli

    load_funnel_company(con)
    con.close()
    assert (
        cli.main(["kpis", "--db", str(db_path), "--from", "2025-01-01", "--to", "2025-03-31"]) == 0
    )
    import json

    out = json.loads(capsys.readouterr().out)
    assert [r["reached"] for r in out["funnel"]] == [7, 6, 5, 3, 2]
    assert out["funnel"][0]["conversion_from_previous"] is None


# --- invariants on the sample -------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_frames(sample_con):
    cur = sample_con.cursor()
    frames = []
    pipelines = funnel.pipelines(cur, Filters())["pipeline"].tolist()
    for pipeline in pipelines:
        for window in (None, 30):
            for dimension in (None, *funnel.DIMENSIONS, "created_month"):
                part = by_stage(cur, Filters(), pipeline, window, dimension)
                frames.append(
                    part.assign(
                        pipeline=pipeline, window_label=f"{window}/{dimension}"
                    )  # two dimensions may both have a "(not set)" group: keep them apart
                )
    return pd.concat(frames, ignore_index=True)


def test_sample_funnels_never_widen_and_conversions_stay_within_one(sample_con, sample_frames):
    cur = sample_con.cursor()
    cur.register("funnel_rows", sample_frames)
    widening = cur.execute(
        "select * from (select *, lag(count_reached) over (partition by pipeline, window_label,"
        " group_value order by step_number) as previous from funnel_rows)"
        " where count_reached > previous"
    ).fetchall()
    assert widening == []
    over_one = cur.execute(
        "select * from funnel_rows f join (select pipeline, window_label, group_value,"
        " max(count_reached) filter (where step_number = 1) as first from funnel_rows"
        " group by all) using (pipeline, window_label, group_value)"
        " where count_reached > first or count_reached < 0"
    ).fetchall()
    assert over_one == []


@pytest.mark.parametrize(
    "invariant",
    [
        # every placed deal entered the first step at creation, once
        "select deal_id from summary_funnel_stage_entries group by deal_id"
        " having count(*) filter (where evidence = 'created' and step_number = 1) <> 1",
        # evidence never points past the last step of its pipeline
        "select e.deal_id from summary_funnel_stage_entries e join (select pipeline,"
        " max(step_number) as last from summary_funnel_pipeline_steps group by 1) s"
        " using (pipeline) where e.step_number > s.last or e.step_number < 1",
        # every deal with a pipeline that has steps is placed in it
        "select deal_id from deals where pipeline in (select pipeline from"
        " summary_funnel_pipeline_steps) and deal_id not in"
        " (select deal_id from summary_funnel_stage_entries)",
        # no history row for the lost stage becomes evidence
        "select e.deal_id from summary_funnel_stage_entries e join deals d using (deal_id)"
        " where d.status = 'lost' and e.evidence = 'won'",
    ],
)
def test_summary_invariants(sample_con, invariant):
    assert sample_con.cursor().execute(invariant).fetchall() == []


def test_sample_won_step_counts_every_won_deal_and_dropoffs_add_up(sample_con):
    cur = sample_con.cursor()
    for pipeline in funnel.pipelines(cur, Filters())["pipeline"]:
        rows = by_stage(cur, Filters(), pipeline)
        won = rows[rows["is_won_step"]].iloc[0]
        assert won["count_reached"] == won["count_won"]  # a won deal reaches every step
        steps = funnel.funnel_steps(cur, Filters(), pipeline)
        for row in steps[~steps["is_won_step"]].itertuples():
            listed = funnel.dropoff(cur, Filters(), pipeline, row.step_number)
            assert len(listed) == row.count_dropped


def test_sample_lifecycle_never_widens(sample_con):
    rows = funnel.lifecycle(sample_con.cursor(), Filters())
    counts = rows["count_reached"].tolist()
    assert counts == sorted(counts, reverse=True) and counts[0] == 2_000


def test_sample_time_in_stage_is_positive(sample_con):
    rows = funnel.time_in_stage(sample_con.cursor(), Filters(), "Sales Pipeline")
    assert (rows["count_deals_measured"] > 100).all()
    assert ((rows["median_days"] > 0) & (rows["p75_days"] >= rows["median_days"])).all()


# --- charts -----------------------------------------------------------------------------------


def test_funnel_chart_shows_counts_and_both_conversions(golden, monkeypatch):
    steps = funnel.funnel_steps(golden, Q1, SALES)
    bar = funnel_charts.funnel_chart(steps, "Sales funnel").data[0]
    # S4's unknown last stage: no stage conversion is drawn (never "85.7%", S4 placed at A).
    assert bar.text[1] == "<b>6</b> · $2.4K<br>conversion unknown"
    assert bar.text[4].endswith("conversion unknown · 28.6% of first")  # won: 2 of 7, exact
    assert "unknown of previous step" in bar.hovertext[1]
    monkeypatch.setattr(funnel, "UNKNOWN_SHIFT_MAX", 1.0)
    steps = funnel.funnel_steps(golden, Q1, SALES)
    fig = funnel_charts.funnel_chart(steps, "Sales funnel")
    bar = fig.data[0]
    assert list(bar.y) == ["A", "B", "C", "D", "Closed Won"] and list(bar.x) == [7, 6, 5, 3, 2]
    assert "100.0% of previous · 85.7% of first" in bar.text[1]  # 6 of 6 known; 6 / 7
    assert "$300" in bar.text[4] and "66.7% of previous" in bar.text[4]
    assert bar.marker.color[-1] != bar.marker.color[0]  # the won step in the won colour


def test_trend_chart_greys_small_months(golden):
    frame_ = funnel.trend(golden, Q1, SALES)
    fig = funnel_charts.trend_chart(
        frame_, "t", ["Win rate"], funnel.deals_created_by_month(frame_)
    )
    line, few = fig.data[0], fig.data[1]  # the bars of deals created last, in their panel
    assert line.name == "Win rate" and all(pd.isna(y) for y in line.y)  # no line through them
    assert few.legendgroup == "Win rate" and few.marker.symbol == "circle-open"
    assert list(few.y)[:1] == [0.5]  # January: 2 won of 4 closed, shown as a lone grey point


# --- the page -------------------------------------------------------------------------------


@pytest.fixture
def funnel_app(app_db):
    return loaded(app_db, load_funnel_company)


def open_funnel() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["from"] = "2025-01-01"
    at.query_params["to"] = "2025-03-31"
    at.run()
    at.switch_page(page("funnel.py")).run()
    assert not at.exception, at.exception
    return at


def test_page_shows_the_funnel_dropoff_and_breakdown(funnel_app):
    at = open_funnel()
    assert at.title[0].value == "Funnel"
    captions = " ".join(c.value for c in at.caption)
    assert "1 Jan 2025 – 31 Mar 2025: 7 deals created" in captions
    assert "2 reached Closed Won (28.6% of first)" in captions
    picker = at.selectbox(key="funnel_dropoff_step")
    assert picker.value == 3  # C: most deals (2) went no further there
    # The page's list fits 1440 px: no Deal ID column (the download has it); S3 and S7.
    assert len(at.dataframe[0].value) == 2 and "Deal ID" not in at.dataframe[0].value
    picker.set_value(2).run()
    assert len(at.dataframe[0].value) == 1  # S5
    at.selectbox(key="funnel_window").set_value(30).run()
    assert "within 30 days" in " ".join(c.value for c in at.caption)


def test_page_lifecycle_view(funnel_app):
    at = open_funnel()
    at.segmented_control(key="funnel_view").set_value("Customer lifecycle").run()
    assert not at.exception
    assert "Repeat buyer = 2+ orders or 2+ won deals" in " ".join(c.value for c in at.caption)


def test_page_explains_an_empty_period_and_unplaced_deals(funnel_app):
    at = open_funnel()
    assert "1 deal in no pipeline" in " ".join(c.value for c in at.caption)  # S9
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["from"] = "2020-01-01"
    at.query_params["to"] = "2020-01-31"
    at.run()
    at.switch_page(page("funnel.py")).run()
    assert not at.exception
    assert any("were created in this period" in i.value for i in at.info)
    at.segmented_control(key="funnel_view").set_value("Customer lifecycle").run()
    assert any("No accounts were created" in i.value for i in at.info)


# Page parameters for each funnel query on the sample (tests/core/test_queries.py binds only the
# five filter parameters, so it cannot run these by itself).
SAMPLE_PAGE_PARAMS = {
    "funnel_pipelines": {},
    "funnel_by_stage": {"pipeline": "Sales Pipeline", "window_days": 30, "dimension": "owner"},
    "funnel_by_stage_and_month": {"pipeline": "Sales Pipeline", "window_days": 30},
    "funnel_by_stage_from_cells": {"pipeline": "Sales Pipeline", "dimension": "segment"},
    "funnel_by_stage_and_month_from_cells": {"pipeline": "Sales Pipeline"},
    "funnel_dropoff": {
        "pipeline": "Sales Pipeline",
        "window_days": None,
        "step_number": 2,
        "row_limit": None,
    },
    "funnel_dropoff_from_stopped": {
        "pipeline": "Sales Pipeline",
        "step_number": 2,
        "row_limit": None,
    },
    "funnel_time_in_stage": {"pipeline": "Sales Pipeline"},
    # The sample's default view (its last 12 months of data), as health_accounts_default's.
    "funnel_time_in_stage_default": {
        "pipeline": "Sales Pipeline",
        "start_date": date(2025, 11, 1),
        "end_date": date(2026, 10, 31),
    },
    "funnel_sales_cycle": {"pipeline": "Sales Pipeline"},
    "funnel_lifecycle": {},
}


def test_every_funnel_query_runs_on_the_sample(sample_con):
    assert set(SAMPLE_PAGE_PARAMS) == {n for n in queries.available() if n.startswith("funnel_")}
    for name, extra in SAMPLE_PAGE_PARAMS.items():
        rows = queries.run(sample_con.cursor(), name, {**Filters().params(), **extra})
        assert len(rows) > 0, name


def test_conversions_leave_unknown_last_stages_out_and_hide_what_they_could_move():
    """Issue 19 (fix19a point 3), worked by hand. Group "Mixed": A 200, B 120, C 60, Won 40,
    4 lost deals with no known last stage (counted at A only). Known at A: 200 - 4 = 196.
      A -> B: 120 / 196 = 61.2%; the 4 could move it by 4 / (196 + 4) = 2.0 points: shown.
      B -> C:  60 / 120 = 50.0%; 4 / (120 + 4) = 3.2 points: shown.
      C -> Won: 40 / 60 = 66.7%; 4 / (60 + 4) = 6.25 points > 5: unknown (no number).
      Of first: B 120 / 200 = 60% (4 / 200 = 2 points: shown); Won 40 / 200 = 20% (exact).
      Went no further: A 196 - 120 = 76 (the 4 are no leak of A), B 60, C 20.
    Group "Clean": A 10, B 5, C 2, Won 1, none unknown: 5/10, 2/5, 1/2, all shown."""
    rows = []
    for group, counts, unknown in (("Mixed", [200, 120, 60, 40], 4), ("Clean", [10, 5, 2, 1], 0)):
        for step, (name, n) in enumerate(zip(["A", "B", "C", "Won"], counts, strict=True), 1):
            rows.append(
                {
                    "group_value": group,
                    "step_number": step,
                    "step_name": name,
                    "is_won_step": name == "Won",
                    "count_reached": n,
                    "count_stop_unknown": unknown,
                }
            )
    out = funnel._with_conversions(pd.DataFrame(rows)).set_index(["group_value", "step_name"])
    mixed = out.loc["Mixed"]
    assert mixed["count_previous"].tolist()[1:] == [196, 120, 60]
    assert mixed["conversion_from_previous"].tolist()[1:3] == pytest.approx([120 / 196, 0.5])
    assert pd.isna(mixed.loc["Won", "conversion_from_previous"])
    assert mixed["conversion_unknown"].tolist() == [False, False, False, True]
    assert mixed["unknown_shift"].tolist() == pytest.approx([0, 4 / 200, 4 / 124, 4 / 64])
    assert mixed["conversion_from_first"].tolist() == pytest.approx([1, 0.6, 0.3, 0.2])
    assert mixed["count_dropped"].tolist()[:3] == [76, 60, 20]
    clean = out.loc["Clean"]
    assert clean["conversion_from_previous"].tolist()[1:] == pytest.approx([0.5, 0.4, 0.5])
    assert not clean["conversion_unknown"].any()
    steps = out.loc["Mixed"].reset_index()
    words = funnel.stop_unknown_words(steps)
    assert words.startswith("Last stage unknown: 4 lost deals (2.0% of those created).")
    assert "A conversion they could move by more than 5 points is shown as unknown." in words
    assert funnel.funnel_table(steps.assign(amount_reached=float("nan")))[
        "% of previous"
    ].tolist() == ["—", "61.2%", "50.0%", "unknown"]


def test_trend_hides_unknown_stage_months_and_its_note_matches_the_shading(golden):
    # Every golden month has S4 or few deals: January's 1 unknown beside 4 known at A hides
    # its stage conversions; February (S6, S7, none unknown) keeps A -> B 2 of 2.
    frame_ = funnel.trend(golden, Q1, SALES)
    jan = frame_[(frame_["month_start"] == "2025-01-01") & (frame_["series"] == "A → B")]
    assert jan["is_unknown"].all() and jan["rate"].isna().all()
    assert "A → B" in funnel.stage_series(frame_)
    note = funnel.trend_note(None, frame_)
    assert "no stage-to-stage point" in note
    every = frame_.assign(is_maturing=True, is_shaded=False)  # a short history: all maturing
    assert "Every month shown is still maturing" in funnel.trend_note(None, every)
    assert "Shaded" not in funnel.trend_note(None, every)
    some = frame_.assign(
        is_maturing=frame_["month_start"] == "2025-02-01",
        is_shaded=frame_["month_start"] == "2025-02-01",
    )
    assert "Shaded months (from Feb 2025) are still maturing" in funnel.trend_note(None, some)
    fig = funnel_charts.trend_chart(some, "t", ["Win rate"], funnel.deals_created_by_month(some))
    shaded = [s for s in fig.layout.shapes if s.type == "rect"]
    assert {s.yref for s in shaded} == {"y domain", "y2 domain"}  # both panels
    assert {a.hoverformat for a in (fig.layout.xaxis, fig.layout.xaxis2)} == {"%b %Y"}


def test_digest_funnel_says_why_its_conversions_are_unknown(golden):
    from dashboard.analytics.digest import sections

    section = sections.funnel_section(golden, Q1)  # S4's last stage is unknown
    assert any(n.startswith("Last stage unknown: 1 lost deal") for n in section.notes)
