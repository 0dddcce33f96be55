"""Satisfaction: golden numbers worked out by hand, invariants on the sample, the importer's
review exports, the CLI section and the page.

The hand-made company (accounts A Acme Corp Enterprise/EMEA/Ann, B Beta LLC SMB/APAC/Bob,
C Cobalt SMB/EMEA/Ann; X answers but is not in accounts):

NPS (load 1)  who  when                 score  channel  comment
  N1          A    2025-01-05 10:00     10     email    Love the dashboards
  N2          A    2025-01-10            9     email
  N3          B    2025-01-12            7     in-app   Reports are 50% slower
  N4          B    2025-01-20            3     email    Too expensive
  N5          C    2025-01-31 23:59:59   8     in-app
  N6          A    2025-02-03            7     email
  N7          C    2025-02-14            8     in-app   It's fine
  N8          B    2025-03-02            0     email    =1+1 formula
  N9          X    2025-03-09            4     email    Support tickets sit for days
  N10         A    2025-04-15            9     in-app
  N11         B    (no date)            10     email    No date on this one
  N12         C    2025-01-15           (none) email    Score missing
  N13         C    2025-06-10            9     in-app
  N14         (no account) 2025-05-05   10     (none)
  Jan: 10 9 7 3 8 -> 5 answers, 2 promoters, 1 detractor: NPS (2 - 1) / 5 = 20.
       margin: p = .4, d = .2; p + d - (p - d)^2 = .6 - .04 = .56; .56 / 5 = .112;
       sqrt(.112) = .334664; x 1.96 x 100 = 65.594.
  Feb: 7 8 -> passives only: NPS 0, margin 0.   Mar: 0 4 -> all detractors: -100, margin 0.
  Apr (N10), May (N14), Jun (N13): a single promoter each: NPS 100, margin 0 (p = 1, d = 0).
  All time (N11 undated counts; N12 has no score): 13 answers, 6 promoters (N1 N2 N10 N11
  N13 N14), 3 detractors (N4 N8 N9): NPS 300 / 13 = 23.08.
CSAT (load 1, top score 5: a 1-5 scale, 4-5 satisfied): S1 A Jan 6 5 "Quick and friendly
  help", S2 A Jan 7 4, S3 B Jan 8 3 "Slow reply", S4 C Feb 10 1.
CSAT (load 2, top score 10: a 1-10 scale, 9-10 satisfied): T1 A Feb 20 10 "Great support",
  T2 B Feb 21 9, T3 C Feb 22 8 (not satisfied here; 4+ on 1-5 would count it), T4 C Feb 23 2.
  Jan: 2 of 3 = 66.67%. Feb: S4 no + T1 T2 yes + T3 T4 no = 2 of 5 = 40%.
CES: E1 A Jan 9 2, E2 B Jan 19 4, E3 C Jan 29 6 -> mean 4, sample sd 2 (deviations -2 0 2,
  8 / 2 = 4), margin 1.96 x 2 / sqrt(3) = 2.2632. E4 A 2025-07-01 3 (a CES-only month).
Orders: A 2025-01-20, B 2025-03-20, C 2025-06-30 (the data's last order).
"""

import json
import math
from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.analytics import kpis as kpi_report
from dashboard.analytics.satisfaction import charts
from dashboard.analytics.satisfaction import data as satisfaction
from dashboard.core import downloads, measures, queries
from dashboard.core.filters import Filters
from dashboard.ingest import loader
from dashboard.store import warehouse
from tests.conftest import APP, EXPORTS, frame, loaded, page

Q1 = Filters(date(2025, 1, 1), date(2025, 3, 31))
JAN, FEB, MAR, APR, MAY, JUN, JUL = (pd.Timestamp(2025, m, 1) for m in range(1, 8))

ACCOUNTS = frame(
    "account_id account_name segment region owner",
    [
        ("A", "Acme Corp", "Enterprise", "EMEA", "Ann"),
        ("B", "Beta LLC", "SMB", "APAC", "Bob"),
        ("C", "Cobalt", "SMB", "EMEA", "Ann"),
    ],
)
SURVEYS = frame(
    "response_id account_id responded_at survey_type score channel comment",
    [
        ("N1", "A", "2025-01-05 10:00", "nps", 10, "email", "Love the dashboards"),
        ("N2", "A", "2025-01-10", "nps", 9, "email", None),
        ("N3", "B", "2025-01-12", "nps", 7, "in-app", "Reports are 50% slower"),
        ("N4", "B", "2025-01-20", "nps", 3, "email", "Too expensive"),
        ("N5", "C", "2025-01-31 23:59:59", "nps", 8, "in-app", None),
        ("N6", "A", "2025-02-03", "nps", 7, "email", None),
        ("N7", "C", "2025-02-14", "nps", 8, "in-app", "It's fine"),
        ("N8", "B", "2025-03-02", "nps", 0, "email", "=1+1 formula"),
        ("N9", "X", "2025-03-09", "nps", 4, "email", "Support tickets sit for days"),
        ("N10", "A", "2025-04-15", "nps", 9, "in-app", None),
        ("N11", "B", None, "nps", 10, "email", "No date on this one"),
        ("N12", "C", "2025-01-15", "nps", None, "email", "Score missing"),
        ("N13", "C", "2025-06-10", "nps", 9, "in-app", None),
        ("N14", None, "2025-05-05", "nps", 10, None, None),
        ("S1", "A", "2025-01-06", "csat", 5, "chat", "Quick and friendly help"),
        ("S2", "A", "2025-01-07", "csat", 4, "chat", None),
        ("S3", "B", "2025-01-08", "csat", 3, "phone", "Slow reply"),
        ("S4", "C", "2025-02-10", "csat", 1, "chat", None),
        ("E1", "A", "2025-01-09", "ces", 2, "chat", None),
        ("E2", "B", "2025-01-19", "ces", 4, "phone", None),
        ("E3", "C", "2025-01-29", "ces", 6, "chat", None),
        ("E4", "A", "2025-07-01", "ces", 3, "chat", None),
    ],
)
TEN_POINT_CSAT = frame(
    "response_id account_id responded_at survey_type score channel comment",
    [
        ("T1", "A", "2025-02-20", "csat", 10, "chat", "Great support"),
        ("T2", "B", "2025-02-21", "csat", 9, "chat", None),
        ("T3", "C", "2025-02-22", "csat", 8, "chat", None),
        ("T4", "C", "2025-02-23", "csat", 2, "chat", None),
    ],
)
ORDERS = frame(
    "order_id account_id ordered_at amount",
    [
        ("O1", "A", "2025-01-20", 100),
        ("O2", "B", "2025-03-20", 50),
        ("O3", "C", "2025-06-30", 10),
    ],
)


def load_company(con) -> None:
    warehouse.load_frames(
        con, {"accounts": ACCOUNTS, "surveys": SURVEYS, "orders": ORDERS}, source="test"
    )
    warehouse.load_frames(con, {"surveys": TEN_POINT_CSAT}, source="test")


@pytest.fixture
def company(con):
    load_company(con)
    return con


def period_params(filters: Filters, grain: str = "month") -> dict:
    return {**filters.params(), "grain": grain}


def rows_of(frame_: pd.DataFrame, kind: str, columns: list[str]) -> list[tuple]:
    part = frame_[frame_["survey_type"] == kind]
    return [tuple(r) for r in part[columns].itertuples(index=False)]


# --- golden: the definitions ----------------------------------------------------------


def test_nps_golden_cases_and_margin_by_hand():
    # passives only -> 0; all detractors -> -100; a single promoter -> 100
    assert measures.nps(0, 0, 2) == 0.0
    assert measures.nps(0, 2, 2) == -100.0
    assert measures.nps(1, 0, 1) == 100.0
    # p = d = 0 or p = 1 or d = 1: p + d - (p - d)^2 = 0, so the formula's margin is 0
    assert measures.nps_margin(0, 0, 2) == 0.0
    assert measures.nps_margin(0, 2, 2) == 0.0
    assert measures.nps_margin(1, 0, 1) == 0.0
    # January: 5 answers, p = .4, d = .2 -> 1.96 x 100 x sqrt(.112) = 65.594
    assert measures.nps_margin(2, 1, 5) == pytest.approx(196 * math.sqrt(0.112))
    assert measures.nps_margin(2, 1, 5) == pytest.approx(65.594, abs=1e-3)
    # 100 answers, 50 promoters, 20 detractors: (.7 - .09) / 100 = .0061 -> 15.308
    assert measures.nps_margin(50, 20, 100) == pytest.approx(15.308, abs=1e-3)
    assert measures.nps_margin(0, 0, 0) is None  # no answers: no margin, not 0


def test_csat_top_two_box_and_proportion_margin():
    assert measures.csat(2, 3) == pytest.approx(200 / 3)  # 5 and 4 of 5, 3 of 5 is not
    # s = 2/3: 1.96 x 100 x sqrt(2/9 / 3) = 1.96 x 100 x .272166 = 53.345
    assert measures.csat_margin(2, 3) == pytest.approx(53.345, abs=1e-3)
    assert measures.csat_margin(0, 1) == 0.0  # s = 0: the formula gives 0
    assert measures.csat_margin(0, 0) is None


def test_ces_mean_margin_and_difference_margin():
    # 2 4 6: sum 12, squares 56 -> variance (56 - 144/3) / 2 = 4, sd 2; 1.96 x 2 / sqrt(3)
    assert measures.ces(12, 3) == 4.0
    assert measures.ces_margin(12, 56, 3) == pytest.approx(1.96 * 2 / math.sqrt(3))
    assert measures.ces_margin(3, 9, 1) is None  # one answer has no spread
    assert measures.difference_margin(3.0, 4.0) == 5.0  # sqrt(9 + 16)
    assert measures.difference_margin(None, 4.0) is None
    series = measures.nps_margin(pd.Series([2, 0]), pd.Series([1, 0]), pd.Series([5, 0]))
    assert series.iloc[0] == pytest.approx(65.594, abs=1e-3) and pd.isna(series.iloc[1])


# --- golden: the query files ----------------------------------------------------------


def test_by_period_rows(company):
    rows = queries.run(company, "satisfaction_by_period", period_params(Filters()))
    columns = ["period_start", "responses", "promoters", "detractors", "satisfied"]
    got = rows_of(rows, "nps", columns)
    assert [(None if pd.isna(p) else f"{p:%Y-%m}", *rest) for p, *rest in got] == [
        (None, 1, 1, 0, 0),  # N11 has no date
        ("2025-01", 5, 2, 1, 0),  # N5 at 23:59:59 on 31 Jan is January; N12 has no score
        ("2025-02", 2, 0, 0, 0),
        ("2025-03", 2, 0, 2, 0),
        ("2025-04", 1, 1, 0, 0),
        ("2025-05", 1, 1, 0, 0),  # N14 has no account: counts with no account filter
        ("2025-06", 1, 1, 0, 0),
    ]
    csat = rows_of(rows, "csat", ["responses", "satisfied", "score_sum"])
    assert csat == [(3, 2, 12.0), (5, 2, 30.0)]  # Feb: T1 T2 on the 1-10 scale; not T3 (8)
    ces = rows_of(rows, "ces", ["responses", "score_sum", "score_squares"])
    assert ces == [(3, 12.0, 56.0), (1, 3.0, 9.0)]
    quarter = queries.run(company, "satisfaction_by_period", period_params(Filters(), "quarter"))
    assert rows_of(quarter, "nps", ["responses"]) == [(1,), (9,), (3,)]  # undated, Q1, Q2


def test_by_period_scope_and_grain(company):
    smb = Filters(Q1.start_date, Q1.end_date, segments=("SMB",))
    rows = queries.run(company, "satisfaction_by_period", period_params(smb))
    # B and C in Q1: N3 N4 N5 (Jan), N7 (Feb), N8 (Mar); N11 (B, undated) still reported.
    assert rows_of(rows, "nps", ["responses", "promoters", "detractors"]) == [
        (1, 1, 0),
        (3, 0, 1),
        (1, 0, 0),
        (1, 0, 1),
    ]
    weeks = queries.run(company, "satisfaction_by_period", period_params(Q1, "week"))
    starts = [p for p in weeks.loc[weeks["survey_type"] == "nps", "period_start"] if pd.notna(p)]
    # Sunday 5 Jan 2025 belongs to the week starting Monday 30 Dec 2024.
    assert f"{starts[0]:%Y-%m-%d}" == "2024-12-30"
    with pytest.raises(Exception, match="grain"):
        queries.run(company, "satisfaction_by_period", period_params(Q1, "day"))


def test_breakdown_rows(company):
    def by(dimension: str, filters: Filters | None = None, previous: bool = False) -> list[tuple]:
        filters = filters or Filters()
        rows = queries.run(
            company, "satisfaction_breakdown_periods", {**filters.params(), "dimension": dimension}
        )
        rows = rows[rows["is_previous"] == previous]
        return rows_of(rows, "nps", ["group_value", "responses", "promoters", "detractors"])

    assert by("segment") == [
        ("Enterprise", 4, 3, 0),  # A: N1 N2 N6 N10
        ("Not in accounts", 2, 1, 1),  # N9 (X), N14 (no account)
        ("SMB", 7, 2, 2),  # B C: N3 N4 N5 N7 N8 N11 N13
    ]
    assert by("channel") == [
        ("No channel", 1, 1, 0),  # N14
        ("email", 7, 3, 3),  # N1 N2 N4 N6 N8 N9 N11
        ("in-app", 5, 2, 0),  # N3 N5 N7 N10 N13
    ]
    assert by("owner") == [
        ("Ann", 7, 4, 0),  # A C: 10 9 7 9 8 8 9
        ("Bob", 4, 1, 2),  # B: 7 3 0 10
        ("Not in accounts", 2, 1, 1),
    ]
    assert by("region", Q1) == [
        ("APAC", 3, 0, 2),  # B in Q1: N3 N4 N8 (N11 has no date: out of the period)
        ("EMEA", 5, 2, 0),  # A C in Q1: N1 N2 N5 N6 N7
        ("Not in accounts", 1, 0, 1),  # N9
    ]
    assert by("region", Q1, previous=True) == []  # 2 Oct - 31 Dec 2024: no answer
    q2 = Filters(date(2025, 4, 1), date(2025, 6, 30))  # 91 days: previous 31 Dec - 31 Mar
    assert by("region", q2) == [
        ("EMEA", 2, 2, 0),  # N10 (A, 15 Apr) 9, N13 (C, 10 Jun) 9
        ("Not in accounts", 1, 1, 0),  # N14 (no account, 5 May) 10
    ]
    assert by("region", q2, previous=True) == by("region", Q1)  # no answer on 31 Dec
    with pytest.raises(Exception, match="dimension"):
        by("industry")


def test_behaviour_rows(company):
    params = {**Filters().params(), "window_days": 30}
    rows = queries.run(company, "satisfaction_behaviour", params)
    # Window 30 days; the data's last order is 30 Jun 2025.
    # ordered: N1, N2 (A's order on 20 Jan), N8 (B's on 20 Mar) -> 3 answers, P2 D1
    # not ordered: N3 N4 (B orders only in March), N5 N7 (C in June), N6 N10 (A's order is
    #   before), N9 (X never orders) -> 7 answers, P1 (N10) D2 (N4 N9)
    # window open: N13 (10 Jun + 30 days > 30 Jun, although C ordered on 30 Jun)
    # no account: N14. N11 has no date and N12 no score: never counted.
    assert rows_of(rows, "nps", ["outcome", "responses", "promoters", "detractors"]) == [
        ("no_account", 1, 1, 0),
        ("not_ordered", 7, 1, 2),
        ("ordered", 3, 2, 1),
        ("window_open", 1, 1, 0),
    ]
    # CSAT: A's order on 20 Jan follows S1 S2; B's on 20 Mar follows T2 (21 Feb).
    assert rows_of(rows, "csat", ["outcome", "responses", "satisfied"]) == [
        ("not_ordered", 5, 1),  # S3 S4 T1 T3 T4 (T1 satisfied on 1-10)
        ("ordered", 3, 3),  # S1 S2 T2
    ]
    assert rows_of(rows, "ces", ["outcome", "responses"]) == [
        ("not_ordered", 2, ),  # E2 (B), E3 (C: 29 Jan + 30 days, no order)
        ("ordered", 1, ),  # E1 (A, 9 Jan; order 20 Jan)
        ("window_open", 1, ),  # E4, 1 Jul, after the last order
    ]  # fmt: skip
    none = queries.run(
        company, "satisfaction_behaviour", {**Filters(segments=("Nope",)).params(),
                                             "window_days": 30}
    )  # fmt: skip
    assert none.empty


def test_verbatims_rows_search_and_limit(company):
    def run(search=None, survey_type=None, limit=50, filters=None):
        filters = filters or Filters()
        params = {
            **filters.params(),
            "survey_type": survey_type,
            "search": search,
            "limit": limit,
        }
        return queries.run(company, "satisfaction_verbatims", params)

    everything = run()
    # 11 comments (N12 has no score but a comment; N11 no date: last)
    assert everything["response_id"].tolist() == [
        "N9", "N8", "T1", "N7", "N4", "N12", "N3", "S3", "S1", "N1", "N11",
    ]  # fmt: skip
    assert set(everything["count_matching"]) == {11}
    t1 = everything.iloc[2]
    assert (t1["account_name"], t1["score"], t1["scale_max"]) == ("Acme Corp", 10, 10)
    assert (t1["answer_class"], t1["segment"], t1["channel"]) == ("satisfied", "Enterprise", "chat")
    named = dict(zip(everything["response_id"], everything["account_name"], strict=True))
    assert named["N9"] == "X"  # not in accounts: shown by id
    classes = dict(zip(everything["response_id"], everything["answer_class"], strict=True))
    assert (classes["N3"], classes["N4"], classes["S3"]) == (
        "passive",
        "detractor",
        "not satisfied",
    )
    assert pd.isna(classes["N12"])  # no score: no class
    assert run(search="SLOW")["response_id"].tolist() == ["N3", "S3"]  # any case
    assert run(search="50%")["response_id"].tolist() == ["N3"]  # % is a character
    assert run(search="%")["response_id"].tolist() == ["N3"]
    assert run(search="_").empty  # _ is not "any character"
    assert run(search="it's")["response_id"].tolist() == ["N7"]  # a quote is just text
    assert run(search="' or 1=1 --").empty
    assert run(survey_type="csat")["response_id"].tolist() == ["T1", "S3", "S1"]
    assert run(filters=Q1, survey_type="nps")["response_id"].tolist() == [
        "N9",
        "N8",
        "N7",
        "N4",
        "N12",
        "N3",
        "N1",
    ]  # fmt: skip  (N11 has no date: outside any period)
    smb = run(filters=Filters(segments=("SMB",)))
    assert smb["response_id"].tolist() == ["N8", "N7", "N4", "N12", "N3", "S3", "N11"]
    limited = run(limit=3)
    assert limited["response_id"].tolist() == ["N9", "N8", "T1"]
    assert set(limited["count_matching"]) == {11}


def test_summary_reads_the_csat_scale_per_load(company):
    scales = company.execute(
        "select response_id, scale_max, is_satisfied from summary_satisfaction_responses"
        " where survey_type = 'csat' order by response_id"
    ).fetchall()
    assert scales == [
        ("S1", 5, True),
        ("S2", 5, True),
        ("S3", 5, False),
        ("S4", 5, False),
        ("T1", 10, True),
        ("T2", 10, True),
        ("T3", 10, False),  # 8 of 10: not top-two-box
        ("T4", 10, False),
    ]


# --- golden: the page's numbers -------------------------------------------------------


def test_trend_points_with_margins_greying_and_rolling(company):
    view = satisfaction.trend(company, Filters(), "month", min_responses=2, rolling=3)
    nps = view.points[view.points["survey_type"] == "nps"].set_index("period_start")
    assert list(nps.index) == [JAN, FEB, MAR, APR, MAY, JUN, JUL]  # July: CES only, 0 NPS
    assert nps["responses"].tolist() == [5, 2, 2, 1, 1, 1, 0]
    assert nps["value"].tolist()[:6] == pytest.approx([20, 0, -100, 100, 100, 100])
    assert pd.isna(nps.at[JUL, "value"])
    assert nps.at[JAN, "margin"] == pytest.approx(65.594, abs=1e-3)
    assert nps["is_reliable"].tolist() == [True, True, True, False, False, False, False]
    # Rolling 3 months, answers pooled: Jan-Mar 9 answers P2 D3 -> -11.1; Feb-Apr 5, P1 D2
    # -> -20; Mar-May 4, P2 D2 -> 0; Apr-Jun 3, P3 -> 100; May-Jul 2, P2 -> 100.
    rolled = nps["rolling_value"].tolist()
    assert pd.isna(rolled[0]) and pd.isna(rolled[1])
    assert rolled[2:] == pytest.approx([-100 / 9, -20, 0, 100, 100])
    assert nps["rolling_responses"].tolist()[2:] == [9, 5, 4, 3, 2]
    assert view.undated == {"nps": 1}
    csat = view.points[view.points["survey_type"] == "csat"].set_index("period_start")
    assert csat.loc[[JAN, FEB], "value"].tolist() == pytest.approx([200 / 3, 40])
    ces = view.points[view.points["survey_type"] == "ces"].set_index("period_start")
    assert ces.at[JAN, "value"] == 4.0
    assert ces.at[JAN, "margin"] == pytest.approx(2.2632, abs=1e-4)
    # Changes between consecutive reliable months: Jan 20 -> Feb 0 (±65.6) within noise;
    # Feb 0 -> Mar -100, both margins 0: beyond.
    assert view.changes["nps"] == ["NPS fell from 0 in Feb 2025 to −100 in Mar 2025 (±0.0 "
                                   "pts): beyond noise."]  # fmt: skip


def test_changes_are_judged_by_the_margin_of_the_difference():
    points = satisfaction.with_scores(
        frame(
            "survey_type period_start responses promoters detractors satisfied score_sum "
            "score_squares",
            [
                # Jan: 30 - 30 = 0, margin 1.96 x 100 x sqrt(.6 / 100) = 15.182
                ("nps", pd.Timestamp("2026-01-01"), 100, 30, 30, 0, 0, 0),
                # Feb: 50 - 20 = 30, margin 15.308; change margin sqrt(15.182² + 15.308²)
                # = 21.56 < 30: beyond noise
                ("nps", pd.Timestamp("2026-02-01"), 100, 50, 20, 0, 0, 0),
                # Mar: 20 answers only: never compared
                ("nps", pd.Timestamp("2026-03-01"), 20, 0, 20, 0, 0, 0),
                # Apr: 55 - 20 = 35 vs Feb's 30: within noise
                ("nps", pd.Timestamp("2026-04-01"), 100, 55, 20, 0, 0, 0),
                # CSAT 80% (±7.8) then 60% (±9.6): change margin 12.4 < 20: beyond
                ("csat", pd.Timestamp("2026-01-01"), 100, 0, 0, 80, 0, 0),
                ("csat", pd.Timestamp("2026-02-01"), 100, 0, 0, 60, 0, 0),
                # CES 2 → 3 with 100 answers each, sd 1 -> margins .196; change ±.277
                ("ces", pd.Timestamp("2026-01-01"), 100, 0, 0, 0, 200, 499),
                ("ces", pd.Timestamp("2026-02-01"), 100, 0, 0, 0, 300, 999),
            ],
        ),
        min_responses=30,
    )
    assert satisfaction.changes(points, "nps", "month") == [
        "NPS rose from 0 in Jan 2026 to 30 in Feb 2026 (±21.6 pts): beyond noise."
    ]
    assert satisfaction.changes(points, "csat", "month") == [
        "CSAT fell from 80.0% in Jan 2026 to 60.0% in Feb 2026 (±12.4 pts): beyond noise."
    ]
    assert satisfaction.changes(points, "ces", "month") == [
        "CES rose from 2.00 in Jan 2026 to 3.00 in Feb 2026 (±0.28, more effort): beyond noise."
    ]


def test_headline_tiles_compare_with_the_prior_period(company):
    view = satisfaction.headline(company, Filters(date(2025, 2, 1), date(2025, 2, 28)), 2)
    tiles = {t.key: t for t in view.tiles}
    # February: NPS 0 (2 passives), CSAT 40% (2 of 5), CES none. The 28 days before
    # (4-31 Jan) hold all of January's answers: NPS 20 (5 answers, ±65.6), CSAT 66.7%.
    # The change (-20) is within the margin of the difference (√(65.6² + 0²) = ±65.6): the
    # tile says so and is grey, as the sentence below it says "within noise" (issue 19). One
    # margin per tile: the change's, written as the sentence writes it (before, the caption
    # also showed the level's "±0" beside it, unlabelled).
    assert (tiles["nps"].value, tiles["nps"].delta, tiles["nps"].caption) == (
        "0",
        "−20.0 pts · within noise (±65.6 pts)",
        "2 answers",
    )
    assert tiles["nps"].delta_tone == "neutral"
    assert view.compared["nps"] == (
        "Against 4 Jan 2025 – 31 Jan 2025 (5 answers): NPS fell from 20 to 0 (±65.6 pts): "
        "within noise."
    )
    # CSAT Feb 40%: margin 1.96 x 100 x sqrt(.4 x .6 / 5) = 42.94; Jan 2 of 3 = 66.7%:
    # 196 x sqrt((2/3)(1/3)/3) = 53.34. Change -26.7 pts against √(42.94² + 53.34²) = 68.48:
    # within noise; the caption counts the answers, the one margin is the change's.
    assert tiles["csat"].delta == "−26.7 pts · within noise (±68.5 pts)"
    assert tiles["csat"].caption == "5 answers"
    assert (tiles["ces"].value, tiles["ces"].caption) == ("—", "0 answers")
    assert view.notes == ["Left out of the period and the trend: 1 answer with no date."]
    all_time = satisfaction.headline(company, Filters(), 2)
    nps = {t.key: t for t in all_time.tiles}["nps"]
    # 300 / 13 with N11 counted; p = 6/13, d = 3/13: (9/13 - 9/169) / 13 = .049158,
    # sqrt = .221716, x 196 = 43.46
    assert (nps.value, nps.caption) == ("23", "Margin of error ±43.5 pts · 13 answers")
    assert all_time.notes == [
        "Answers with no date (1) count in these totals but in no period of the trend."
    ]
    assert all_time.compared["nps"] is None  # no period: nothing to compare with


def test_breakdown_moves_beyond_noise(company):
    split = satisfaction.breakdown(company, Filters(date(2025, 3, 1), date(2025, 3, 31)),
                                   "segment", min_responses=1)  # fmt: skip
    # March vs the 31 days before (29 Jan – 28 Feb): SMB -100 (N8 only) vs SMB in that span:
    # N5 8, N7 8 -> 0, both margins 0: fell beyond noise. "Not in accounts" (N9) had none.
    assert split.compared_with == "29 Jan 2025 – 28 Feb 2025"
    assert split.moved["nps"] == ["SMB: NPS fell from 0 to −100 (±0.0 pts): beyond noise."]
    nps = split.groups[split.groups["survey_type"] == "nps"].set_index("group_value")
    assert nps.loc["SMB", ["value", "previous_value"]].tolist() == [-100, 0]
    assert pd.isna(nps.loc["Not in accounts", "previous_value"])
    assert not nps.loc["Not in accounts", "previous_reliable"]
    with pytest.raises(ValueError, match="No breakdown"):
        satisfaction.breakdown(company, Filters(), "industry")


def test_behaviour_view(company):
    view = satisfaction.behaviour(company, Filters(), window_days=30, min_responses=3)
    nps = view.groups[view.groups["survey_type"] == "nps"].set_index("outcome")
    # ordered: 3 answers P2 D1 -> 33.3; not: 7 answers P1 D2 -> -14.3
    assert nps.loc[["ordered", "not_ordered"], "value"].tolist() == pytest.approx(
        [100 / 3, -100 / 7]
    )
    # Per measure: NPS leaves out N14 (no account) and N13 (too early); CES leaves out E4.
    # (Summed over every type, the NPS note once said 2 too early, counting E4.)
    assert view.left_out == {"nps": {"no_account": 1, "window_open": 1}, "ces": {"window_open": 1}}
    reorder = view.reorder[view.reorder["survey_type"] == "nps"]
    # promoters N1 N2 ordered, N10 not; passives N3 N5 N6 N7 none; detractors N8 of N4 N8 N9
    got = reorder[["answer_class", "answers", "ordered"]].itertuples(index=False)
    assert [tuple(r) for r in got] == [
        ("promoters", 3, 2),
        ("passives", 4, 0),
        ("detractors", 3, 1),
    ]
    assert satisfaction.reorder_words(view, "nps")[0] == (
        "66.7% of promoters (3) were followed by an order within 30 days"
    )
    # margins: ordered p 2/3 d 1/3 -> (1 - 1/9) / 3 = .2963 -> 106.7; not p 1/7 d 2/7 ->
    # (3/7 - 1/49) / 7 = .05831 -> 47.33; difference margin 116.7 > 47.6 gap: within noise
    assert view.gap["nps"] == (
        "NPS of answers followed by an order: 33, against −14 for the others; higher by "
        "48 points (±116.7 pts): within noise."
    )
    assert satisfaction.behaviour_note(view, "nps").endswith(
        "Left out: answers with no account id (1 answer); answers given less than 30 days "
        "before the data's last order, too early to tell (1 answer)."
    )


def test_kpi_rows_leave_out_months_without_nps_or_csat(company):
    rows = satisfaction.kpi_rows(company, Filters())
    assert rows == [
        {
            "month": "2025-01",
            "nps": 20.0,
            "nps_responses": 5,
            "csat": pytest.approx(200 / 3),
            "csat_responses": 3,
        },
        {"month": "2025-02", "nps": 0.0, "nps_responses": 2, "csat": 40.0, "csat_responses": 5},
        {"month": "2025-03", "nps": -100.0, "nps_responses": 2, "csat": None, "csat_responses": 0},
        {"month": "2025-04", "nps": 100.0, "nps_responses": 1, "csat": None, "csat_responses": 0},
        {"month": "2025-05", "nps": 100.0, "nps_responses": 1, "csat": None, "csat_responses": 0},
        {"month": "2025-06", "nps": 100.0, "nps_responses": 1, "csat": None, "csat_responses": 0},
    ]  # fmt: skip  (July has only CES; N11 has no month)
    q1_smb = satisfaction.kpi_rows(company, Filters(Q1.start_date, Q1.end_date, ("SMB",)))
    assert [(r["month"], r["nps_responses"], r["csat_responses"]) for r in q1_smb] == [
        ("2025-01", 3, 1),  # N3 N4 N5; S3
        ("2025-02", 1, 4),  # N7; S4 T2 T3 T4
        ("2025-03", 1, 0),  # N8
    ]
    report = kpi_report.report(company, Filters())
    assert report["satisfaction_by_month"] == rows
    json.dumps(report["satisfaction_by_month"])


def test_verbatims_view_and_its_download_is_formula_safe(company):
    said = satisfaction.verbatims(company, Filters(), search="  formula  ")
    assert said.matching == 1
    assert said.table.to_dict("records") == [
        {
            "Date": date(2025, 3, 2),
            "Survey": "NPS",
            "Score": "0 / 10",
            "Answer": "Detractor",
            "Account": "Beta LLC",
            "Segment": "SMB",
            "Channel": "email",
            "Comment": "=1+1 formula",
        }
    ]
    assert b"'=1+1 formula" in downloads.safe_csv(said.table)
    with pytest.raises(ValueError, match="survey_type"):
        satisfaction.verbatims(company, Filters(), survey_type="xyz")


def test_empty_warehouse_gives_empty_views(con):
    view = satisfaction.trend(con, Filters())
    assert view.points.empty and view.changes == {"nps": [], "csat": [], "ces": []}
    assert satisfaction.kpi_rows(con, Filters()) == []
    assert [t.value for t in satisfaction.headline(con, Filters()).tiles] == ["—", "—", "—"]
    assert satisfaction.behaviour(con, Filters()).groups.empty
    assert satisfaction.verbatims(con, Filters()).matching == 0


# --- review exports become CSAT -------------------------------------------------------


def test_imported_reviews_show_as_csat(con):
    inspection = loader.inspect(con, EXPORTS / "app-store-reviews.csv", "app-store-reviews.csv")
    try:
        result = loader.commit(con, inspection)
    finally:
        loader.close(con, inspection)
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)  # R3 "six" is rejected
    # R1 5 stars (1 Jun 2024), R2 2 stars (3 Jun 2024): 1 of 2 satisfied = 50%.
    view = satisfaction.trend(con, Filters(), "month", min_responses=1)
    csat = view.points[view.points["survey_type"] == "csat"]
    assert [(f"{p:%Y-%m}", n, v) for p, n, v in csat[["period_start", "responses", "value"]]
            .itertuples(index=False)] == [("2024-06", 2, 50.0)]  # fmt: skip
    assert satisfaction.kpi_rows(con, Filters()) == [
        {"month": "2024-06", "nps": None, "nps_responses": 0, "csat": 50.0, "csat_responses": 2}
    ]
    said = satisfaction.verbatims(con, Filters(), search="great")
    assert said.table["Score"].tolist() == ["5 / 5"]
    assert said.table["Comment"].tolist() == ["Great product,\nwould buy again"]


# --- charts ---------------------------------------------------------------------------


def test_trend_chart_greys_small_periods_and_draws_margins(company):
    view = satisfaction.trend(company, Filters(), "month", min_responses=2, rolling=3)
    fig = charts.trend_chart(
        view.points, "nps", grain="month", min_responses=2, rolling=3, title="t"
    )
    reliable, small, rolled = fig.data
    assert [pd.Timestamp(x) for x in reliable.x] == [JAN, FEB, MAR]
    assert list(reliable.error_y.array) == pytest.approx([65.594, 0, 0], abs=1e-3)
    assert "5 answers" in reliable.text[0]
    assert small.name == "Fewer than 2 answers (too few to read)"
    assert [pd.Timestamp(x) for x in small.x] == [APR, MAY, JUN]  # July (0) is left out
    assert small.marker.color == "#999999" and small.marker.symbol == "circle-open"
    assert rolled.name.startswith("Rolling 3 months")
    assert list(rolled.y) == pytest.approx([-100 / 9, -20, 0, 100, 100])
    shares = charts.shares_chart(view.points, grain="month", min_responses=2, title="t")
    assert [t.name for t in shares.data] == [
        "Detractors (0–6)",
        "Passives (7–8)",
        "Promoters (9–10)",
    ]
    assert list(shares.data[2].y)[:2] == pytest.approx([0.4, 0.0])
    assert list(shares.data[0].marker.opacity) == [1, 1, 1, 0.35, 0.35, 0.35]
    by_quarter = satisfaction.trend(company, Filters(), "quarter", min_responses=2, rolling=1)
    quarters = charts.shares_chart(by_quarter.points, grain="quarter", min_responses=2, title="t")
    # One labelled slot per quarter answered (Q1 and Q2 2025), bars centred on it: no date
    # axis whose three-month-wide bars start six weeks before the period (issue 19).
    assert list(quarters.data[0].x) == ["2025 Q1", "2025 Q2"]
    assert quarters.layout.xaxis.type == "category"


def test_opens_on_the_measure_that_has_answers(con):
    # Only CSAT answers (two, 4 and 2 of 5): the page opens on CSAT, not on an empty NPS.
    warehouse.load_frames(
        con,
        {"surveys": frame("response_id account_id responded_at survey_type score",
                          [("R1", "A1", "2025-01-05", "csat", 4),
                           ("R2", "A1", "2025-01-06", "csat", 2)])},
        source="test",
    )  # fmt: skip
    assert satisfaction.measure_with_data(con, Filters()) == "csat"
    assert satisfaction.measure_with_data(con, Q1.previous_period()) == "nps"  # none: NPS
    # The page reads it from the headline's rows (one query, not two): the same answer, for
    # any minimum.
    assert satisfaction.headline(con, Filters(), min_responses=5).opening == "csat"
    assert satisfaction.headline(con, Q1).opening == "csat"  # R1, R2 in Q1
    assert satisfaction.headline(con, Q1.previous_period()).opening == "nps"


def test_breakdown_and_behaviour_charts(company):
    split = satisfaction.breakdown(company, Filters(), "segment", min_responses=3)
    fig = charts.breakdown_chart(
        split.groups, "nps", dimension_label="Segment", min_responses=3, compared_with=None,
        title="t",
    )  # fmt: skip
    bars = fig.data[0]
    # by NPS: 0, 0, 75, each with its answers
    assert list(bars.y) == [
        "Not in accounts · 2 answers",
        "SMB · 7 answers",
        "Enterprise · 4 answers",
    ]
    assert list(bars.marker.color) == ["#999999", "#CC79A7", "#CC79A7"]  # 2 answers: small
    view = satisfaction.behaviour(company, Filters(), 30, 3)
    fig = charts.behaviour_chart(
        view.groups, "nps", labels=satisfaction.outcome_labels(30), title="t"
    )
    assert list(fig.data[0].x) == [
        "Ordered within 30 days after answering<br>3 answers",
        "No order within 30 days<br>7 answers",
    ]
    small = satisfaction.behaviour(company, Filters(), 30, 5)  # 3 answers < 5
    fig = charts.behaviour_chart(
        small.groups, "nps", labels=satisfaction.outcome_labels(30), title="t"
    )
    assert fig.data[0].x[0].endswith("3 answers · too few to read")
    assert list(fig.data[0].marker.color) == ["#999999", "#CC79A7"]
    assert list(fig.data[0].y) == pytest.approx([100 / 3, -100 / 7])


# --- invariants on the sample ---------------------------------------------------------

# Page parameters for tests/core/test_queries.py::test_every_query_runs_on_the_sample.
SAMPLE_PAGE_PARAMS = {
    "satisfaction_by_period": {"grain": "week"},
    "satisfaction_breakdown_periods": {"dimension": "channel"},
    "satisfaction_behaviour": {"window_days": 90},
    "satisfaction_verbatims": {"survey_type": "nps", "search": "pricing", "limit": 20},
}

SAMPLE_INVARIANTS = [
    # one summary row per survey row
    "select 1 where (select count(*) from summary_satisfaction_responses)"
    " <> (select count(*) from surveys)",
    "select * from summary_satisfaction_responses where is_promoter and is_detractor",
    "select * from summary_satisfaction_responses where score > scale_max",
    "select * from summary_satisfaction_responses where survey_type = 'csat'"
    " and scale_max not in (5, 10)",
]


@pytest.mark.parametrize("sql", SAMPLE_INVARIANTS)
def test_summary_invariants_on_the_sample(sample_con, sql):
    assert sample_con.cursor().execute(sql).fetchall() == []


@pytest.mark.parametrize("grain", ["week", "month", "quarter"])
def test_period_invariants_on_the_sample(sample_con, grain):
    cur = sample_con.cursor()
    rows = queries.run(cur, "satisfaction_by_period", period_params(Filters(), grain))
    cur.register("result", rows)
    try:
        for sql in (
            "select * from result where promoters + detractors > responses",
            "select * from result where satisfied > responses or responses <= 0",
            "select * from result where survey_type <> 'nps' and promoters + detractors > 0",
            # every grain adds up to the scored answers
            "select survey_type from result group by 1 having sum(responses) <> (select"
            " count(*) from surveys s where s.score is not null"
            " and s.survey_type = result.survey_type)",
        ):
            assert cur.execute(sql).fetchall() == [], sql
    finally:
        cur.unregister("result")
    view = satisfaction.trend(cur, Filters(), grain, rolling=3)
    scored = view.points[view.points["responses"] > 0]
    nps = scored[scored["survey_type"] == "nps"]
    assert nps["value"].between(-100, 100).all()
    assert scored.loc[scored["survey_type"] == "csat", "value"].between(0, 100).all()
    assert (scored["margin"].dropna() >= 0).all()
    assert not view.points.duplicated(["survey_type", "period_start"]).any()


def test_breakdowns_and_behaviour_add_up_on_the_sample(sample_con):
    cur = sample_con.cursor()
    total = queries.run(cur, "satisfaction_by_period", period_params(Filters(), "quarter"))
    per_type = total.groupby("survey_type")["responses"].sum().to_dict()
    assert per_type["nps"] > 2000 and per_type["csat"] > 2500  # three years of surveys
    for dimension in satisfaction.DIMENSIONS:
        rows = queries.run(
            cur, "satisfaction_breakdown_periods", {**Filters().params(), "dimension": dimension}
        )
        assert rows.groupby("survey_type")["responses"].sum().to_dict() == per_type, dimension
    rows = queries.run(cur, "satisfaction_behaviour", {**Filters().params(), "window_days": 90})
    undated = total[total["period_start"].isna()].groupby("survey_type")["responses"].sum()
    expected = {k: v - int(undated.get(k, 0)) for k, v in per_type.items()}
    assert rows.groupby("survey_type")["responses"].sum().to_dict() == expected
    # The sample's NPS rises over the three years: the last full year beats the first.
    first = satisfaction.headline(cur, Filters(date(2024, 1, 1), date(2024, 12, 31)))
    last = satisfaction.headline(cur, Filters(date(2025, 11, 1), date(2026, 10, 31)))
    number = lambda tile: float(tile.value.replace("−", "-"))  # noqa: E731 (the minus sign)
    assert number(last.tiles[0]) > number(first.tiles[0])
    assert last.compared["nps"].endswith("beyond noise.")
    said = satisfaction.verbatims(cur, Filters(), search="pricing")
    assert said.matching > 0 and said.table["Comment"].str.contains("pricing").all()
    assert len(satisfaction.verbatims(cur, Filters()).table) == satisfaction.VERBATIM_LIMIT


# --- the page -------------------------------------------------------------------------


@pytest.fixture
def company_env(app_db):
    return loaded(app_db, load_company)


def open_page(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page("satisfaction.py")).run()
    assert not at.exception, at.exception
    return at


def figure(at: AppTest, index: int) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def test_page_shows_tiles_trend_changes_breakdown_behaviour_and_comments(company_env):
    at = open_page(**{"from": "2025-02-01", "to": "2025-02-28"})
    assert [t.value for t in at.title] == ["Satisfaction"]
    at.number_input(key="sat_min").set_value(2).run()
    assert {m.label: m.value for m in at.metric} == {"NPS": "0", "CSAT": "40.0%", "CES": "—"}
    markdown = " ".join(m.value for m in at.markdown)
    assert "NPS fell from 20 to 0 (±65.6 pts): within noise." in markdown
    trend = figure(at, 0)
    assert trend["layout"]["title"]["text"].startswith("NPS by month · 1 Feb 2025 – 28 Feb 2025")
    assert len(at.get("plotly_chart")) == 4  # trend, shares, breakdown, behaviour
    captions = " ".join(c.value for c in at.caption)
    assert "1 answer with no date" in captions  # N11
    assert "2 comments · 1 Feb 2025 – 28 Feb 2025" in captions  # T1 and N7
    comments = at.dataframe[0].value
    assert comments["Comment"].tolist() == ["Great support", "It's fine"]


def test_page_measure_search_and_empty_states(company_env):
    at = open_page(period="all")
    at.segmented_control(key="sat_measure").set_value("csat").run()
    assert not at.exception
    assert figure(at, 0)["layout"]["title"]["text"].startswith("CSAT by month · All time")
    assert len(at.get("plotly_chart")) == 3  # no shares chart for CSAT
    at.text_input(key="sat_search").input("slow").run()
    assert at.dataframe[0].value["Comment"].tolist() == ["Reports are 50% slower", "Slow reply"]
    at.text_input(key="sat_search").input("nothing like this").run()
    assert any('No comments containing "nothing like this"' in i.value for i in at.info)
    at.multiselect(key="f_segments").select("Enterprise").run()
    at.segmented_control(key="sat_measure").set_value("ces").run()
    assert not at.exception
    # Enterprise = A: E1 (Jan) and E4 (Jul) only, 1 answer each: both greyed at 30.
    trend = figure(at, 0)
    assert [t["name"] for t in trend["data"]][:2] == [
        "CES ± 95% margin",
        "Fewer than 30 answers (too few to read)",
    ]


def test_page_explains_a_warehouse_without_surveys(app_db):
    loaded(
        app_db,
        lambda con: warehouse.load_frames(
            con, {"accounts": ACCOUNTS, "orders": ORDERS}, source="test"
        ),
    )
    at = open_page(period="all")
    assert [m.value for m in at.metric] == ["—", "—", "—"]
    assert len(at.get("plotly_chart")) == 0
    shown = " ".join(i.value for i in at.info)
    # The true cause, whatever the period: no survey file was loaded (core/needs.py).
    why = "no file gives surveys (score, date); load one on the import page"
    assert f"No NPS, CSAT and CES trend: {why}." in shown
    assert f"No verbatims: {why}." in shown
    assert "in this period" not in shown


def test_shares_chart_keeps_an_empty_month_as_a_gap():
    # Issue 19, point 5: NPS answers in Jan (5: 2 promoters, 1 passive, 2 detractors) and
    # Mar (4: all promoters), none in Feb. Before, Feb was dropped (Jan and Mar side by side);
    # now it keeps its slot with no bar, and the legend names each series.
    nan = float("nan")
    points = pd.DataFrame(
        {
            "survey_type": ["nps"] * 4 + ["csat"],
            "period_start": [pd.Timestamp(2024, 12, 1), JAN, FEB, MAR, JAN],  # Dec: none
            "responses": [0, 5, 0, 4, 3],
            "promoters": [0, 2, 0, 4, 0],
            "passives": [0, 1, 0, 0, 0],
            "detractors": [0, 2, 0, 0, 0],
            "promoter_share": [nan, 0.4, nan, 1.0, nan],
            "passive_share": [nan, 0.2, nan, 0.0, nan],
            "detractor_share": [nan, 0.4, nan, 0.0, nan],
            "is_reliable": [False, True, False, True, True],
        }
    )
    fig = charts.shares_chart(points, grain="month", min_responses=2, title="t")
    promoters = fig.data[2]
    assert list(promoters.x) == ["Jan 2025", "Feb 2025", "Mar 2025"]  # Dec: before any answer
    assert promoters.y[0] == pytest.approx(0.4) and pd.isna(promoters.y[1])
    assert promoters.y[2] == pytest.approx(1.0)
    assert promoters.text[1] == "Feb 2025: no answers"
    assert all(t.showlegend is not False for t in fig.data)
    assert [t.name for t in fig.data] == ["Detractors (0–6)", "Passives (7–8)", "Promoters (9–10)"]
