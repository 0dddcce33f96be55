"""queries/health_accounts.sql reads the per-load health summaries; it must return exactly what
the query before them returned (health_accounts_before.sql beside this file, reading the
canonical tables through frozen ref_ macros and tables, see tests/analytics/reference.py) for
every window shape: one period, none, open start or end, 90 and 365-day trend windows, windows
not aligned to months, undated touches, accounts loaded twice, unknown accounts, more touch
kinds than the masks' 62 bits, touches either side of a mid-day edge."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from dashboard.core import queries
from dashboard.core.filters import NOTHING, Filters, Scope
from dashboard.store import summaries, warehouse
from tests.analytics import reference as frozen
from tests.conftest import frame

BEFORE = (Path(__file__).parent / "health_accounts_before.sql").read_text("utf-8")
# What BEFORE reads besides the canonical tables and the ref_ macros, frozen too.
FROZEN_SUMMARIES = Path(__file__).parent / "health_accounts_before_summaries.sql"
KEY = ["window_end", "account_id"]


def assert_same(old: pd.DataFrame, new: pd.DataFrame, what: str) -> None:
    """Same columns, dtypes and rows (order-insensitive; floats within 1e-9)."""
    assert list(new.columns) == list(old.columns), what
    assert new.dtypes.astype(str).tolist() == old.dtypes.astype(str).tolist(), what
    assert len(new) == len(old), f"{what}: {len(new)} rows, before {len(old)}"
    old = old.sort_values(KEY).reset_index(drop=True)
    new = new.sort_values(KEY).reset_index(drop=True)
    for column in old.columns:
        for i, (a, b) in enumerate(zip(old[column], new[column], strict=True)):
            if pd.isna(a) or pd.isna(b):
                same = pd.isna(a) and pd.isna(b)
            elif isinstance(a, float):
                same = math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
            else:
                same = a == b
            assert same, f"{what}: row {i} ({old.at[i, 'account_id']}) {column}: {a!r} != {b!r}"


def both(cur, params: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    frozen.freeze(cur, FROZEN_SUMMARIES)
    return (
        cur.execute(BEFORE, frozen.without_teams(params)).df(),
        queries.run(cur, "health_accounts", params),
    )


def window_cases(end: date, owner: str, segment: str) -> dict[str, dict]:
    """(label -> parameters): single windows of every shape, then trend windows."""
    one = {"window_ends": None, "window_days": None}
    start = date(end.year, 1, 1)
    single = {
        "period": Filters(start, end),
        "previous": Filters(start, end).previous_period(),
        "no period": Filters(),
        "open start": Filters(None, end),
        "open end": Filters(date(end.year - 1, 3, 15), None),
        "not aligned": Filters(date(end.year - 1, 2, 17), end - timedelta(days=11)),
        "one day": Filters(end, end),
        "segment": Filters(start, end).within(Scope(segments=(segment,))),
        "owner": Filters(start, end, owners=(owner,)),
        "denied": Filters(start, end).within(NOTHING),
        "segment, no period": Filters(segments=(segment,)),
    }
    out = {label: {**f.params(), **one} for label, f in single.items()}
    ends = [date(end.year - 1, 12, 31), date(end.year, 1, 31), date(end.year, 2, 28), end]
    for days in (365, 90, 47):
        out[f"trend {days}"] = {
            **Filters(start, end).params(), "window_ends": ends, "window_days": days,
        }  # fmt: skip
    out["trend owner"] = {
        **Filters(start, end, owners=(owner,)).params(), "window_ends": ends, "window_days": 30,
    }  # fmt: skip
    return out


# ---------------------------------------------------------------- hand-made rows

# A1 is loaded twice (two rows); "ZZ" appears on touches, orders and deals but not in accounts;
# some rows have no account or no date. 70 touch types: more than the masks' 62 bits.
ACCOUNTS = frame(
    "account_id account_name segment industry region owner",
    [("A1", "Alpha", "Enterprise", "Tech", "EMEA", "Ann"),
     ("A1", "Alpha bis", "SMB", "Tech", "EMEA", "Ann"),
     ("A2", "Beta", "SMB", None, "APAC", "Bob"),
     ("A3", "Gamma", " ", "Retail", "EMEA", "Bob"),
     ("A4", "Delta", "SMB", "Retail", "APAC", "Cy")],
)  # fmt: skip
DEALS = frame(
    "deal_id account_id owner status amount created_at closed_at source competitor product",
    [("D1", "A1", "Ann", "won", 100, "2024-11-01", "2024-12-15", "Partner", None, "P1"),
     ("D2", "A1", "Bob", "won", 200, "2025-01-10", "2025-02-10", "Inbound", "Acme", "P2"),
     ("D3", "A1", "Ann", "lost", 300, "2025-01-15", "2025-03-01", "REFERRAL", "Acme", "P1"),
     ("D4", "A2", "Bob", "lost", 400, "2025-02-01", "2025-02-20", "Outbound", " ", "P1"),
     ("D5", "A2", "Bob", "open", 500, "2025-03-01", None, "Partner", None, "P1"),
     ("D6", "A3", "Cy", "won", 50, None, None, None, "Beta", None),
     ("D7", "ZZ", "Ann", "won", 70, "2025-01-02", "2025-01-05", "partner", None, "P3"),
     ("D8", None, "Ann", "lost", 70, "2025-01-02", "2025-01-05", "partner", None, "P3"),
     ("D9", "A4", "Cy", "won", 10, "2024-06-01", "2025-03-31 23:59:59", "Web", "Acme", "P4"),
     ("D10", "A4", "Cy", "lost", 10, "2025-04-01", "2025-04-01", None, "Acme", "P4")],
)  # fmt: skip
ORDERS = frame(
    "order_id account_id ordered_at amount product",
    [("O1", "A2", "2024-10-01", 100, "P1"), ("O2", "A2", "2025-03-02", -5, "P2"),
     ("O3", "A3", None, 20, "P9"), ("O4", "A4", "2025-01-01 00:00:00", None, "P5"),
     ("O5", "ZZ", "2025-02-01", 10, "P1"), ("O6", None, "2025-02-01", 10, "P1"),
     ("O7", "A1", "2025-04-30 12:00:00", 10, None), ("O8", "A4", "2025-04-30 23:00:00", 1, "P6")],
)  # fmt: skip
SURVEYS = frame(
    "response_id account_id responded_at survey_type score",
    [("S1", "A1", "2025-01-20", "nps", 9), ("S2", "A1", "2025-02-20", "nps", 5),
     ("S3", "A2", "2025-03-01", "csat", 4), ("S4", "A3", None, "nps", 10),
     ("S5", "ZZ", "2025-02-01", "nps", 1)],
)  # fmt: skip
LAST_TOUCH = pd.Timestamp("2025-04-30 15:30:00")  # as of = 15:30:01 with no end date
EDGE_90 = LAST_TOUCH + pd.Timedelta(seconds=1) - pd.Timedelta(days=90)  # 30 Jan 15:30:01
EDGE_365 = LAST_TOUCH + pd.Timedelta(seconds=1) - pd.Timedelta(days=365)


def _touches() -> pd.DataFrame:
    rows = [
        ("A1", "email", "sales", "2025-01-05 09:00", True),
        ("A1", "call", "success", "2025-02-05 10:00", True),
        ("A1", "email", "marketing", "2025-03-05 11:00", False),
        ("A2", "email", "sales", "2025-03-10 12:00", None),
        ("A2", "chat", None, None, True),  # undated
        ("A3", None, "service", None, None),  # undated, no type
        ("A4", "email", "sales", str(LAST_TOUCH), True),
        # either side of the 90-day edge on its day, with other departments
        ("A4", "call", "partner", str(EDGE_90 - pd.Timedelta(minutes=5)), False),
        ("A2", "call", "partner", str(EDGE_90 + pd.Timedelta(minutes=5)), False),
        ("A2", "meeting", "success", str(EDGE_90 - pd.Timedelta(hours=9)), True),
        # either side of the 365-day edge on its day
        ("A3", "meeting", "sales", str(EDGE_365 - pd.Timedelta(minutes=1)), True),
        ("A1", "meeting", "sales", str(EDGE_365 + pd.Timedelta(minutes=1)), True),
        ("ZZ", "email", "sales", "2025-02-01 08:00", True),
        (None, "email", "sales", "2025-02-01 08:00", True),
        ("A2", "email", "sales", "2024-12-31 23:59:59", True),
        ("A2", "email", "sales", "2025-01-01 00:00:00", False),
    ]
    # 70 kinds of touch (and of department) on A1 and A3, a few days apart
    for i in range(70):
        day = pd.Timestamp("2024-12-01") + pd.Timedelta(days=2 * i, hours=i % 24)
        rows.append(("A1" if i % 3 else "A3", f"kind{i:02d}", f"team{i % 66:02d}", str(day), None))
    return frame(
        "activity_id account_id type department occurred_at is_personalized",
        [(f"X{n}", *row) for n, row in enumerate(rows)],
    )


@pytest.fixture
def hand_made(con):
    warehouse.load_frames(
        con,
        {"accounts": ACCOUNTS, "deals": DEALS, "orders": ORDERS, "activities": _touches(),
         "surveys": SURVEYS},
        source="test",
    )  # fmt: skip
    return con


def test_the_hand_made_rows_have_what_they_claim(hand_made):
    cur = hand_made.cursor()
    assert warehouse.scalar(cur, "select count(*) from accounts where account_id = 'A1'") == 2
    assert warehouse.scalar(cur, "select count(*) from summary_health_kinds where not is_in_mask")
    assert warehouse.scalar(cur, "select count(*) from activities where occurred_at is null") == 2


@pytest.mark.parametrize("label", list(window_cases(date(2025, 4, 30), "Bob", "SMB")))
def test_same_rows_as_before_on_hand_made_rows(hand_made, label):
    params = window_cases(date(2025, 4, 30), "Bob", "SMB")[label]
    old, new = both(hand_made.cursor(), params)
    assert_same(old, new, label)
    if label not in ("denied",):
        assert len(new) > 0


def test_hand_made_edges_are_counted_as_before(hand_made):
    """The cases the summaries could get wrong, spelled out (no period: 90 days end mid-day)."""
    params = {**Filters().params(), "window_ends": None, "window_days": None}
    rows = queries.run(hand_made.cursor(), "health_accounts", params).set_index("account_id")
    # A4: sales on the last day counts; partner 5 minutes before the 90-day edge, on the
    # edge's day, does not: one department. A2: sales on 10 Mar, partner 5 minutes after.
    assert rows.loc["A4", "is_multi_department_90d"] == 0
    assert rows.loc["A2", "is_multi_department_90d"] == 1
    # A1: email, call, meeting and 46 of the 70 kinds (8 of them beyond the masks' bits).
    assert rows.loc["A1", "channels"] == 49
    assert rows.loc["A2", "touches"] == 6  # the undated chat counts with no period at all
    assert rows.loc["A1", "is_quality"] == 0  # loaded twice


# ---------------------------------------------------------------- the scale-1 sample


@pytest.mark.parametrize("label", list(window_cases(date(2026, 10, 31), "Avery Brooks", "SMB")))
def test_same_rows_as_before_on_the_sample(sample_con, label):
    cur = sample_con.cursor()
    last = warehouse.scalar(cur, "select cast(max(closed_at) as date) from deals")
    owner = warehouse.scalar(
        cur, "select owner from accounts group by owner order by count(*) desc, owner limit 1"
    )
    params = window_cases(last, owner, "SMB")[label]
    old, new = both(cur, params)
    assert_same(old, new, label)


def assert_totals_are_the_sums(cur, params: dict, what: str) -> None:
    """health_totals: per window, the column sums of health_accounts' rows and their count."""
    rows = queries.run(cur, "health_accounts", params)
    totals = queries.run(cur, "health_totals", params)
    numeric = rows.drop(columns=["account_id", "account_name", "segment"])
    expected = numeric.groupby("window_end", dropna=False).sum().reset_index()
    expected.insert(1, "accounts", rows.groupby("window_end", dropna=False).size().to_numpy())
    assert list(totals.columns) == list(expected.columns), what
    assert totals["window_end"].astype(str).tolist() == expected["window_end"].astype(str).tolist()
    for column in expected.columns[1:]:
        assert totals[column].tolist() == expected[column].tolist(), f"{what}: {column}"


@pytest.mark.parametrize("label", list(window_cases(date(2025, 4, 30), "Bob", "SMB")))
def test_totals_are_the_account_sums_on_hand_made_rows(hand_made, label):
    params = window_cases(date(2025, 4, 30), "Bob", "SMB")[label]
    assert_totals_are_the_sums(hand_made.cursor(), params, label)


@pytest.mark.parametrize("label", list(window_cases(date(2026, 10, 31), "Avery Brooks", "SMB")))
def test_totals_are_the_account_sums_on_the_sample(sample_con, label):
    cur = sample_con.cursor()
    last = warehouse.scalar(cur, "select cast(max(closed_at) as date) from deals")
    owner = warehouse.scalar(
        cur, "select owner from accounts group by owner order by count(*) desc, owner limit 1"
    )
    assert_totals_are_the_sums(cur, window_cases(last, owner, "SMB")[label], label)


def test_health_summaries_rebuild_after_an_activities_load():
    assert {
        "health_touch_days",
        "health_touch_days_seen",
        "health_touch_months",
        "health_kinds",
    } <= set(summaries.affected(["activities"]))
    assert "health_touch_days" in summaries.affected(["accounts"])
    assert {"health_buyers", "health_buyer_days"} <= set(summaries.affected(["orders"]))
    assert "health_deal_days" in summaries.affected(["deals"])
