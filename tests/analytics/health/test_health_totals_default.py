"""queries/health_totals_default.sql and its summaries (queries/summaries/health_view_windows.sql,
view_health_totals.sql): the health page's default view asks health_totals_all for its trend's
windows and its previous period; read from a per-load summary they must be exactly the rows the
query gives; every other view (another period, a filter, a grant) runs the query itself."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.analytics.health import metrics
from dashboard.core import queries
from dashboard.core.filters import NOTHING, SCOPE_KEYS, Filters, Scope
from dashboard.core.periods import DEFAULT_PRESET, preset_range
from dashboard.store import summaries, warehouse
from tests.analytics.health.test_health_accounts_default import default_view, names_run  # noqa: F401
from tests.analytics.health.test_health_summaries import hand_made  # noqa: F401


def live(monkeypatch, fn, *args):
    """fn(*args) with the summary out of the way: health_totals_all (or _totals) itself."""
    with monkeypatch.context() as patch:
        patch.setattr(metrics, "_default_view_totals", lambda cur, params: None)
        return fn(*args)


def windows(cur) -> list[tuple[date, int]]:
    return cur.execute("select * from summary_health_view_windows order by 1").fetchall()


def test_golden_windows_and_totals_of_hand_made_rows(hand_made, names_run):  # noqa: F811
    # Last day with data: order O8, 30 Apr 2025, so the period is 1 May 2024 - 30 Apr 2025
    # (365 days). Windows: the previous period ends 30 Apr 2024; the trend's are the month
    # ends 31 May 2024 ... 31 Mar 2025 (11) and 30 Apr 2025: 13 windows of 365 days.
    cur = hand_made.cursor()
    ends = [date(2024, 4, 30)] + [
        date(2024 + (m > 12), (m - 1) % 12 + 1, 1) for m in range(6, 17)
    ]  # first days of Jun 2024 ... Apr 2025, one day back below
    ends = [ends[0]] + [d.fromordinal(d.toordinal() - 1) for d in ends[1:]] + [date(2025, 4, 30)]
    assert windows(cur) == [(e, 365) for e in ends]
    # The period's window: deals won by A1 (D1 15 Dec, D2 10 Feb) and A4 (D9 31 Mar) = 3;
    # lost: A1's D3 (1 Mar), A2's D4 (20 Feb), A4's D10 (1 Apr) = 3 (as the account rows'
    # golden test in test_health_accounts_default.py counts them).
    filters = default_view(cur)
    everyone = {key: None for key in SCOPE_KEYS}
    rows = queries.run(
        cur,
        "health_totals_default",
        {"window_ends": [date(2025, 4, 30)], "window_days": 365, **everyone},
    )
    assert rows[["deals_won", "deals_lost"]].values.tolist() == [[3, 3]]
    names_run.clear()
    sums = metrics.window_sums(cur, filters, None, None)[None]
    assert names_run == ["health_totals_default"]
    assert (sums["deals_won"], sums["deals_lost"]) == (3.0, 3.0)


def test_the_same_totals_as_the_query_on_hand_made_rows(hand_made, names_run, monkeypatch):  # noqa: F811
    cur = hand_made.cursor()
    filters = default_view(cur)
    previous = filters.previous_period()
    names_run.clear()
    assert metrics.monthly(cur, filters) == live(monkeypatch, metrics.monthly, cur, filters)
    assert metrics.window_sums(cur, previous, None, None) == live(
        monkeypatch, metrics.window_sums, cur, previous, None, None
    )
    assert names_run.count("health_totals_default") == 2  # the two calls above, served


def test_the_same_page_figures_as_the_query_on_the_sample(sample_con, names_run, monkeypatch):  # noqa: F811
    cur = sample_con.cursor()
    filters = default_view(cur)
    names_run.clear()
    data, trend = metrics.health_data(cur, filters), metrics.monthly(cur, filters)
    assert "health_totals_all" not in names_run and "health_totals" not in names_run
    before = live(monkeypatch, metrics.health_data, cur, filters)
    assert (data.overall, data.previous, data.segments) == (
        before.overall,
        before.previous,
        before.segments,
    )
    assert data.accounts.equals(before.accounts)
    assert trend == live(monkeypatch, metrics.monthly, cur, filters)
    assert len(trend) == 12 and data.previous is not None


@pytest.mark.parametrize(
    "label", ["other period", "no period", "segment", "owner", "grant", "empty grant"]
)
def test_every_other_view_runs_the_query(sample_con, names_run, monkeypatch, label):  # noqa: F811
    cur = sample_con.cursor()
    base = default_view(cur)
    filters = {
        "other period": Filters(base.start_date, date(base.end_date.year, 1, 1)),
        "no period": Filters(),
        "segment": Filters(base.start_date, base.end_date, ("SMB",)),
        "owner": Filters(base.start_date, base.end_date, owners=("Avery Brooks",)),
        "grant": Filters(base.start_date, base.end_date).within(Scope(segments=("SMB",))),
        "empty grant": Filters(base.start_date, base.end_date).within(NOTHING),
    }[label]
    names_run.clear()
    trend = metrics.monthly(cur, filters)
    live_runs = [n for n in names_run if n in ("health_totals_all", "health_totals")]
    # No period: the trend's last 365 days of data are the default view's windows, served.
    assert live_runs == ([] if label == "no period" else [live_runs[0]]), names_run
    assert trend == live(monkeypatch, metrics.monthly, cur, filters)


def test_the_summary_windows_are_the_pages_on_a_leap_day_and_at_a_year_end(con):
    """SQL's month ends agree with metrics.trend_ends, and the period with the sidebar's."""
    sql = summaries.select_text("health_view_windows")
    for last in (date(2024, 2, 29), date(2025, 12, 31), date(2026, 1, 1), date(2025, 3, 31)):
        start, end = preset_range(DEFAULT_PRESET, last)
        period = summaries.select_text("default_period").replace(
            "from summary_data_dates", f"from (select date '{last}' as last_date)"
        )
        got = con.execute(sql.replace("from summary_default_period", f"from ({period})")).fetchall()
        days = (end - start).days + 1
        previous_end = date.fromordinal(start.toordinal() - 1)
        assert got == [(e, days) for e in sorted([previous_end, *metrics.trend_ends(start, end)])]


def test_no_dates_no_windows_and_no_rows(con):
    assert windows(con.cursor()) == []
    assert warehouse.scalar(con, "select count(*) from summary_view_health_totals") == 0


def test_the_summary_reads_what_health_totals_all_reads():
    """A load of any table health_totals_all reads rebuilds the summary (affected, by name)."""
    for table in ("activities", "deals", "orders", "surveys", "accounts"):
        assert "view_health_totals" in summaries.affected([table]), table
