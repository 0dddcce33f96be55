"""queries/health_accounts_default.sql and its summary (queries/summaries/view_health_accounts.sql):
the health page's default view (last 12 months of data, no filter, no grant) read from a
per-load summary must be exactly health_accounts' rows; every other view (another period, a
segment, region, owner or team, a grant, an empty grant) runs health_accounts itself."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.analytics.health import metrics
from dashboard.core import coverage, queries
from dashboard.core.filters import NOTHING, Filters, Scope
from dashboard.core.periods import DEFAULT_PRESET, preset_range
from dashboard.store import summaries, warehouse
from tests.analytics.health.test_health_summaries import assert_same, hand_made  # noqa: F401
from tests.core.test_teams import teams  # noqa: F401


def default_view(cur) -> Filters:
    """The filters the page opens on, as the sidebar builds them."""
    return Filters(*preset_range(DEFAULT_PRESET, coverage.data_span(cur)[1]))


def old_rows(cur, filters: Filters):
    params = {**filters.params(), "window_ends": None, "window_days": None}
    return queries.run(cur, "health_accounts", params)


def same_page_rows(old, new, what: str) -> None:
    """account_rows' frame (no window_end) against health_accounts' rows, in the same order."""
    assert_same(old, new.assign(window_end=old["window_end"])[list(old.columns)], what)
    assert new["account_id"].tolist() == old["account_id"].tolist(), what


def summary_rows(cur, filters: Filters):
    return queries.run(cur, "health_accounts_default", filters.params())


@pytest.fixture
def names_run(monkeypatch):
    """The query files account_rows runs, in order."""
    seen: list[str] = []
    real = queries.run
    monkeypatch.setattr(
        queries, "run", lambda cur, name, p: seen.append(name) or real(cur, name, p)
    )
    return seen


def test_golden_default_view_of_hand_made_rows(hand_made):  # noqa: F811
    # Last day with data: order O8, 30 Apr 2025, so the window is 1 May 2024 - 30 Apr 2025.
    # A1: D1 won 15 Dec, D2 won 10 Feb, D3 lost 1 Mar -> 2 won, 1 lost; NPS 9 and 5 -> 2
    #     answers, 1 promoter, 1 detractor; loaded twice -> not quality.
    # A2: D4 lost 20 Feb; D4 and D5 created in the window; 5 dated touches (the undated chat
    #     counts only with no period).
    # A4: D9 won 31 Mar 23:59:59, D10 lost 1 Apr, both created in the window.
    # A3: its only deal has no dates. ZZ is in no account row: left out.
    cur = hand_made.cursor()
    filters = default_view(cur)
    assert (filters.start_date, filters.end_date) == (date(2024, 5, 1), date(2025, 4, 30))
    rows = summary_rows(cur, filters).set_index("account_id")
    assert list(rows.index) == ["A1", "A2", "A3", "A4"]
    assert rows.loc["A1", ["deals_won", "deals_lost"]].tolist() == [2, 1]
    nps = ["nps_responses", "nps_promoters", "nps_detractors"]
    assert rows.loc["A1", nps].tolist() == [2, 1, 1]
    assert rows.loc["A1", "is_quality"] == 0
    assert rows.loc["A2", ["deals_lost", "deals_created", "touches"]].tolist() == [1, 2, 5]
    assert rows.loc["A4", ["deals_won", "deals_lost", "deals_created"]].tolist() == [1, 1, 2]
    assert rows.loc["A3", ["deals_won", "deals_lost", "deals_created"]].tolist() == [0, 0, 0]


def test_same_rows_as_health_accounts_on_hand_made_rows(hand_made, names_run):  # noqa: F811
    cur = hand_made.cursor()
    filters = default_view(cur)
    old = old_rows(cur, filters)
    assert len(old) == 4
    assert_same(old, summary_rows(cur, filters), "hand-made default view")
    names_run.clear()
    same_page_rows(old, metrics.account_rows(cur, filters), "page")
    assert names_run == ["health_accounts_default"]


def test_same_rows_as_health_accounts_on_the_sample(sample_con, names_run):
    cur = sample_con.cursor()
    filters = default_view(cur)
    old = old_rows(cur, filters)
    assert len(old) > 100
    assert_same(old, summary_rows(cur, filters), "sample default view")
    names_run.clear()
    same_page_rows(old, metrics.account_rows(cur, filters), "page")
    assert names_run == ["health_accounts_default"]


def test_the_summary_window_is_the_sidebar_default(sample_con):
    cur = sample_con.cursor()
    window = cur.execute(
        "select distinct window_start, window_end from summary_view_health_accounts"
    ).fetchall()
    filters = default_view(cur)
    assert window == [(filters.start_date, filters.end_date)]


def test_a_29_february_window_starts_on_1_march(con):
    """SQL's `- interval 1 year` and periods._year_before agree on a leap day."""
    sql = summaries.select_text("view_health_accounts")
    start = (
        sql.split("-- Bind $start_date = ")[1]
        .split("\n")[0]
        .replace("summary_data_dates", "(select date '2024-02-29' as last_date)")
    )
    got = warehouse.scalar(con, start)
    assert got == preset_range(DEFAULT_PRESET, date(2024, 2, 29))[0] == date(2023, 3, 1)


def _other_views(cur, owner: str, segment: str, region: str) -> dict[str, Filters]:
    base = default_view(cur)
    return {
        "other period": Filters(base.start_date, date(base.end_date.year, 1, 1)),
        "no period": Filters(),
        "segment": Filters(base.start_date, base.end_date, (segment,)),
        "region": Filters(base.start_date, base.end_date, (), (region,)),
        "owner": Filters(base.start_date, base.end_date, owners=(owner,)),
        "team": Filters(base.start_date, base.end_date, teams=("East",)),
        "grant": Filters(base.start_date, base.end_date).within(Scope(segments=(segment,))),
        "empty grant": Filters(base.start_date, base.end_date).within(NOTHING),
    }


@pytest.mark.parametrize(
    "label",
    ["other period", "no period", "segment", "region", "owner", "team", "grant", "empty grant"],
)
def test_every_other_view_runs_health_accounts(sample_con, names_run, label):
    cur = sample_con.cursor()
    filters = _other_views(cur, "Avery Brooks", "SMB", "EMEA")[label]
    old = old_rows(cur, filters)
    names_run.clear()
    new = metrics.account_rows(cur, filters)
    # Another period with no filter asks the summary first (no row: not its window).
    tried = ["health_accounts_default"] if label == "other period" else []
    assert names_run == [*tried, "health_accounts"]
    same_page_rows(old, new, label)
    if label == "empty grant":
        assert len(new) == 0
    elif label != "team":  # the sample has no owners table: no team, no account
        assert len(new) > 0


def test_a_team_runs_health_accounts_and_no_team_the_summary(teams, names_run):  # noqa: F811
    cur = teams.cursor()
    base = default_view(cur)
    for filters, name in [
        (Filters(base.start_date, base.end_date, teams=("East",)), "health_accounts"),
        (base, "health_accounts_default"),
    ]:
        old = old_rows(cur, filters)
        names_run.clear()
        new = metrics.account_rows(cur, filters)
        assert names_run == [name] and len(new) > 0
        same_page_rows(old, new, name)


def test_another_period_a_filter_or_a_grant_finds_no_summary_row(sample_con):
    cur = sample_con.cursor()
    base = default_view(cur)
    assert len(summary_rows(cur, base)) > 0
    for filters in _other_views(cur, "Avery Brooks", "SMB", "EMEA").values():
        if filters.start_date and filters.end_date:
            assert len(summary_rows(cur, filters)) == 0, filters


def test_bound_parameters_leave_comments_and_strings_alone():
    sql = "select $a, '$a', $b -- $a\nfrom t where x = $a"
    assert queries.bind_as_sql(sql, {"a": "select 1"}) == (
        "select (select 1), '$a', (null) -- $a\nfrom t where x = (select 1)"
    )


def test_the_summary_reads_what_health_accounts_reads():
    """A load of any table health_accounts reads rebuilds the summary (affected, by name)."""
    for table in ("activities", "deals", "orders", "surveys", "accounts"):
        assert "view_health_accounts" in summaries.affected([table]), table
