"""dashboard/core/served.py: a page's default view read from per-load summaries must be exactly
the query's rows (columns, dtypes, order), follow every load, and never answer a call with a
filter, a grant or another period."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dashboard.bench.page_calls import record
from dashboard.core import queries, served
from dashboard.core.filters import SCOPE_KEYS
from dashboard.store import summaries, warehouse
from tests.conftest import frame

ALL_SERVED = [s for found in served.by_query().values() for s in found]


def bound_values(cur, summary: served.Served) -> dict[str, object]:
    """The parameter values a served summary holds, worked out from its Bind lines."""
    return {name: warehouse.scalar(cur, sql) for name, sql in summary.binds}


def call_params(cur, summary: served.Served) -> dict[str, object]:
    """A call the summary answers: its bound values, every other parameter null."""
    values = bound_values(cur, summary)
    return {p: values.get(p) for p in queries.parameters(summary.query)}


def live(cur, name: str, params: dict) -> pd.DataFrame:
    return cur.execute(queries.sql_text(name), params).df()


def test_every_served_summary_names_a_query_and_its_parameters():
    assert len(ALL_SERVED) >= 10
    for summary in ALL_SERVED:
        assert summary.summary.startswith(served.PREFIX)
        assert summary.query in queries.available(), summary
        assert set(summary.bound) <= queries.parameters(summary.query), summary
        # Built after every summary its query reads (summaries build in name order).
        for read in summaries.reads(summary.summary):
            if read.startswith("summary_") and read[8:] in summaries.available():
                assert read[8:] < summary.summary, (summary.summary, read)


@pytest.mark.parametrize("summary", ALL_SERVED, ids=lambda s: s.summary)
def test_served_rows_are_the_querys_rows_on_the_sample(sample_con, summary):
    cur = sample_con.cursor()
    params = call_params(cur, summary)
    rows = served.rows(cur, summary.query, params)
    assert rows is not None and len(rows) > 0, summary.summary
    pd.testing.assert_frame_equal(rows, live(cur, summary.query, params), check_exact=True)
    assert queries.run(cur, summary.query, params).equals(rows)


@pytest.mark.parametrize("summary", ALL_SERVED, ids=lambda s: s.summary)
def test_a_filter_a_grant_or_another_value_runs_the_query(sample_con, summary):
    cur = sample_con.cursor()
    params = call_params(cur, summary)
    changed = [{**params, "segments": ["SMB"]}, {**params, "segments": []}]  # filter, grant
    changed += [{**params, "teams": ["East"]}]
    if "start_date" in summary.bound:
        changed.append({**params, "start_date": date(2020, 1, 1)})
    for other in changed:
        assert served.rows(cur, summary.query, other) is None, (summary.summary, other)


@pytest.mark.parametrize("summary", ALL_SERVED, ids=lambda s: s.summary)
def test_a_literal_bind_is_checked_without_a_statement(sample_con, summary):
    """A parameter bound to a plain literal (`select 'month'`) is compared in Python first:
    the literal reads as the value stored, and another value runs the query."""
    cur = sample_con.cursor()
    values, params = bound_values(cur, summary), call_params(cur, summary)
    for name, value in summary.literals.items():
        assert type(value) is type(values[name]) and value == values[name], (summary, name)
        other = {**params, name: f"{value}_other" if isinstance(value, str) else value + 1}
        assert served.rows(cur, summary.query, other) is None, (summary.summary, name)


def test_the_pages_default_views_are_served_on_the_sample(sample_db: Path, monkeypatch):
    """The pages' own calls, recorded from the real app (default widgets): every call of a
    served query with the default view's values is answered by its summary."""
    asked: list[tuple[str, bool]] = []
    real = served.rows

    def spy(cur, name, params):
        rows = real(cur, name, params)
        if name in served.by_query():
            asked.append((name, rows is not None))
        return rows

    monkeypatch.setattr(served, "rows", spy)
    pages = ["overview", "retention", "satisfaction", "competitors"]
    calls = record(sample_db, pages).calls
    con = warehouse.connect(sample_db)
    try:
        for page in pages:
            asked.clear()
            for call in calls[page]:
                call.run(con.cursor())
            missed = sorted({name for name, hit in asked if not hit})
            assert asked and not missed, (page, missed)
    finally:
        con.close()


DEALS = "deal_id account_id status created_at closed_at amount competitor"


def totals_of(cur) -> dict[str, int]:
    """competitor_totals for the default period, as the page asks: deal_group -> deals."""
    (summary,) = [s for s in served.by_query()["competitor_totals"] if "before" not in s.summary]
    params = call_params(cur, summary)
    rows = served.rows(cur, "competitor_totals", params)
    assert rows is not None
    pd.testing.assert_frame_equal(rows, live(cur, "competitor_totals", params))
    return dict(zip(rows["deal_group"], rows["count_deals"], strict=True))


def test_golden_served_totals_follow_each_load(con):
    # Load 1: the last day with data is D1's close, 1 Mar 2025, so the default period is
    # 2 Mar 2024 - 1 Mar 2025: D1 (won, names Acme) and D2 (lost, names none) closed in it,
    # D3 (closed 15 Jan 2024) did not: all 2, any 1, none 1.
    first = [
        ("D1", "A1", "won", "2025-01-01", "2025-03-01", 100, "Acme"),
        ("D2", "A1", "lost", "2025-01-01", "2025-02-01", 50, None),
        ("D3", "A2", "won", "2023-12-01", "2024-01-15", 70, "Acme"),
    ]
    warehouse.load_frames(con, {"deals": frame(DEALS, first)}, source="t")
    assert totals_of(con.cursor()) == {"all": 2, "any": 1, "none": 1}
    # Load 2: D4 (lost 10 Jan 2026, names Beta) moves the period to 11 Jan 2025 - 10 Jan 2026:
    # D1, D2 and D4 closed in it: all 3, any 2, none 1.
    second = [("D4", "A2", "lost", "2025-12-01", "2026-01-10", 80, "Beta")]
    warehouse.load_frames(con, {"deals": frame(DEALS, second)}, source="t")
    assert totals_of(con.cursor()) == {"all": 3, "any": 2, "none": 1}
    # Undo load 2: back to the first period and its totals.
    warehouse.undo_load(con, 2)
    assert totals_of(con.cursor()) == {"all": 2, "any": 1, "none": 1}


def test_an_empty_result_runs_the_query(con):
    """Nothing loaded: the summaries are worked out for no period (nothing is dated).
    competitor_summary has no row, so the query itself answers (an empty frame with its
    columns); competitor_totals' zero row is served as the query gives it."""
    cur = con.cursor()
    params = {"start_date": None, "end_date": None, **{key: None for key in SCOPE_KEYS}}
    assert served.rows(cur, "competitor_summary", params) is None
    pd.testing.assert_frame_equal(
        queries.run(cur, "competitor_summary", params), live(cur, "competitor_summary", params)
    )
    rows = served.rows(cur, "competitor_totals", params)
    assert rows is not None and rows["count_deals"].tolist() == [0]
    pd.testing.assert_frame_equal(rows, live(cur, "competitor_totals", params))
