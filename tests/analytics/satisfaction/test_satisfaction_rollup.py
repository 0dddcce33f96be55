"""satisfaction_by_period reads per-load rollups (whole months, and days for the months a period
cuts) instead of every answer: the same rows as the plain definition it replaced, on hand rows
that hold every case a rollup can get wrong (an account loaded twice, an unknown account, an
undated answer, a team, a period that cuts a month, weeks), and on the sample."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dashboard.core import queries
from dashboard.core.filters import Filters
from dashboard.store import warehouse
from tests.conftest import frame

# The plain definition satisfaction_by_period had before it read the rollups: every answer of
# summary_satisfaction_responses, scoped with account_in_scope.
PLAIN = (Path(__file__).parent / "plain_satisfaction_by_period.sql").read_text(encoding="utf-8")

ACCOUNTS = frame(
    "account_id account_name segment region owner",
    [
        ("A1", "Alpha", "SMB", "EMEA", "Ann"),
        ("A2", "Beta", "Enterprise", "EMEA", "Bob"),
        ("A2", "Beta", "SMB", "APAC", "Cy"),  # exported twice: any copy in scope counts
    ],
)
OWNERS = frame("owner team manager", [("Ann", "East", "Eve"), ("Bob", "West", "Wes")])
SURVEYS = frame(
    "response_id account_id responded_at survey_type score",
    [
        ("S1", "A1", "2025-01-05 10:00", "nps", 10),  # promoter, January
        ("S2", "A1", "2025-01-31 23:00", "nps", 3),  # detractor, last hour of January
        ("S3", "A2", "2025-02-01", "nps", 8),  # passive, A2 (two copies)
        ("S4", "A2", "2025-02-14", "csat", 5),  # satisfied (1-5 scale)
        ("S5", "ZZ", "2025-02-20", "nps", 9),  # unknown account: only with no filter
        ("S6", "A1", None, "nps", 0),  # undated: counts whatever the period
        ("S7", "A1", "2025-03-02", "ces", 6),
        ("S8", "A2", "2025-03-31", "nps", None),  # no score: never counted
    ],
)


@pytest.fixture
def answers(con):
    warehouse.load_frames(con, {"accounts": ACCOUNTS, "surveys": SURVEYS}, source="test")
    warehouse.load_frames(con, {"owners": OWNERS}, source="test")
    return con


def _params(filters: Filters, grain: str) -> dict[str, object]:
    return {**filters.params(), "grain": grain}


def test_rollup_rows_by_hand(answers):
    # Days: A1 (one copy: SMB EMEA Ann) Jan 5 and Jan 31 apart (two days), Mar 2; A2 (two
    # copies: keyed by its id) Feb 1 nps, Feb 14 csat; ZZ (no copy) Feb 20; S6 undated; S8
    # unscored, left out. Months: A1 Jan (S1 + S2: 2 answers, 1 promoter, 1 detractor,
    # scores 13, squares 109), the rest one answer each.
    months = answers.execute(
        "select month_start, survey_type, account_copies, segment, owner, account_id, "
        "responses, promoters, detractors, satisfied, score_sum, score_squares "
        "from summary_satisfaction_rollup_months order by all"
    ).fetchall()
    assert months == [
        (date(2025, 1, 1), "nps", 1, "SMB", "Ann", None, 2, 1, 1, 0, 13.0, 109.0),
        (date(2025, 2, 1), "csat", 2, None, None, "A2", 1, 0, 0, 1, 5.0, 25.0),
        (date(2025, 2, 1), "nps", 0, None, None, None, 1, 1, 0, 0, 9.0, 81.0),
        (date(2025, 2, 1), "nps", 2, None, None, "A2", 1, 0, 0, 0, 8.0, 64.0),
        (date(2025, 3, 1), "ces", 1, "SMB", "Ann", None, 1, 0, 0, 0, 6.0, 36.0),
    ]
    undated = answers.execute(
        "select responses, detractors from summary_satisfaction_rollup_days where day is null"
    ).fetchall()
    assert undated == [(1, 1)]  # S6, a detractor
    assert answers.execute("select count(*) from summary_satisfaction_rollup_days").fetchone() == (
        7,  # Jan 5, Jan 31, Feb 1, Feb 14, Feb 20, Mar 2, undated
    )


def test_a_period_cutting_a_month_counts_its_days_only(answers):
    # 10 Jan - 14 Feb: January and February are both cut. In it: S2 (Jan 31, detractor),
    # S3 (Feb 1, passive), S4 (Feb 14, csat); plus S6 undated (period_start null).
    rows = queries.run(answers, "satisfaction_by_period", _params(
        Filters(date(2025, 1, 10), date(2025, 2, 14)), "quarter"))  # fmt: skip
    got = {(r.survey_type, r.period_start): (r.responses, r.detractors) for r in rows.itertuples()}
    q1 = pd.Timestamp("2025-01-01")
    assert got == {("csat", q1): (1, 0), ("nps", pd.NaT): (1, 1), ("nps", q1): (2, 1)}


GRANTS = [
    Filters(),
    Filters(date(2025, 1, 1), date(2025, 2, 28)),  # whole months
    Filters(date(2025, 1, 10), date(2025, 2, 14)),  # cuts both
    Filters(date(2025, 1, 31), None),  # open-ended
    Filters(segments=("SMB",)),  # A1, and A2 through its SMB copy; not ZZ
    Filters(segments=("Enterprise",), regions=("EMEA",)),
    Filters(regions=("APAC",)),
    Filters(owners=("Bob",)),
    Filters(teams=("East",)),  # a manager's scope: Ann's accounts
    Filters(date(2025, 2, 1), date(2025, 3, 31), teams=("West",)),
    Filters(segments=()),
]


@pytest.mark.parametrize("grain", ["week", "month", "quarter"])
@pytest.mark.parametrize("filters", GRANTS, ids=repr)
def test_the_same_rows_as_the_plain_definition(answers, filters, grain):
    params = _params(filters, grain)
    got = queries.run(answers, "satisfaction_by_period", params)
    pd.testing.assert_frame_equal(got, answers.execute(PLAIN, params).df())


@pytest.mark.parametrize("grain", ["week", "quarter"])
def test_the_same_rows_as_the_plain_definition_on_the_sample(sample_con, grain):
    cur = sample_con.cursor()
    last = cur.execute("select max(cast(responded_at as date)) from surveys").fetchone()[0]
    segment = cur.execute("select min(segment) from accounts").fetchone()[0]
    for filters in (
        Filters(),
        Filters(date(last.year - 1, last.month, 1), last),
        Filters(date(last.year - 1, 3, 17), date(last.year, 2, 3), segments=(segment,)),
    ):
        params = _params(filters, grain)
        got = queries.run(cur, "satisfaction_by_period", params)
        assert len(got) > 0
        pd.testing.assert_frame_equal(got, cur.execute(PLAIN, params).df())
