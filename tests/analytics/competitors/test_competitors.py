"""Competitors: golden tests worked out by hand, the Salesforce export, invariants on the
sample, the charts, the CLI section and an AppTest of the page.

The hand-made company (period Q1 2025 = 2025-01-01 .. 2025-03-31, 90 days; its previous
period of equal length is 2024-10-03 .. 2024-12-31):

accounts: A1 SMB/EMEA/Ann, A2 Enterprise/EMEA/Bob, A3 SMB/APAC/Ann (Z9 is not in accounts).

deal acct owner status amount created    closed     competitor cell  loss reason
D1   A1   Ann   won    1000   2024-12-01 2025-01-31 "Acme; Beta"     -       cycle 61 days
D2   A1   Ann   lost    500   2025-01-05 2025-02-10 "Acme, Gamma"    Price
D3   A2   Bob   lost   2000   2025-01-10 2025-03-01 "Acme"           Lost to competitor
D4   A2   Bob   won    3000   2025-01-01 2025-03-02 (none)           -       cycle 60 days
D5   A3   Ann   open    700   2025-02-01 -          "Acme"           -       open: never counts
D6   A3   Ann   lost    400   2025-01-20 2025-02-20 " ; " (blank)    -       = no competitor
D7   A3   Ann   won     800   2025-03-01 2025-03-20 "Beta;Delta"     -       cycle 19 days
D8   A1   Ann   lost    900   2024-11-01 2024-12-15 "Acme"           Timing  previous period
D9   A2   Bob   won     600   2024-10-01 2024-11-10 "Acme"           -       previous period
D10  A1   Ann   lost    100   2024-12-01 (no date)  "Gamma"          Price   undated
D11  Z9   Ann   lost    300   2025-01-05 2025-01-15 "Beta"           Timing

Q1 closed deals: D1 D2 D3 D4 D6 D7 D11 = 7 (3 won: D1 D4 D7; 4 lost: D2 D3 D6 D11).
Naming a competitor: D1 D2 D3 D7 D11 = 5 (each once); naming none: D4, D6 (blank names).
Per competitor (a deal counts once for each competitor it names):
  Acme  D1 W, D2 L, D3 L     3 deals, 1 won 2 lost, won 1000, lost 2500, cycle 61
  Beta  D1 W, D7 W, D11 L    3 deals, 2 won 1 lost, won 1800, lost  300, cycle (61+19)/2 = 40
  Delta D7 W                 1 deal (met only once), won 800, cycle 19
  Gamma D2 L                 1 deal (met only once), lost 500
  none  D4 W, D6 L           2 deals, won 3000, lost 400, cycle 60
The rows add up to 3+3+1+1 = 8 competitor-deals over 5 deals: totals never add them up.
"""

import json
from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.analytics import kpis as kpi_report
from dashboard.analytics.competitors import charts
from dashboard.analytics.competitors import data as competitors
from dashboard.core import measures, queries
from dashboard.core.filters import Filters
from dashboard.ingest import loader
from dashboard.store import warehouse
from tests.conftest import APP, EXPORTS, frame, loaded, page

Q1 = Filters(date(2025, 1, 1), date(2025, 3, 31))
PREVIOUS = "3 Oct 2024 – 31 Dec 2024"

ACCOUNTS = frame(
    "account_id segment region owner",
    [
        ("A1", "SMB", "EMEA", "Ann"),
        ("A2", "Enterprise", "EMEA", "Bob"),
        ("A3", "SMB", "APAC", "Ann"),
    ],
)
DEALS = frame(
    "deal_id account_id owner status amount created_at closed_at competitor loss_reason",
    [
        ("D1", "A1", "Ann", "won", 1000, "2024-12-01", "2025-01-31", "Acme; Beta", None),
        ("D2", "A1", "Ann", "lost", 500, "2025-01-05", "2025-02-10", "Acme, Gamma", "Price"),
        ("D3", "A2", "Bob", "lost", 2000, "2025-01-10", "2025-03-01", "Acme", "Lost to competitor"),
        ("D4", "A2", "Bob", "won", 3000, "2025-01-01", "2025-03-02", None, None),
        ("D5", "A3", "Ann", "open", 700, "2025-02-01", None, "Acme", None),
        ("D6", "A3", "Ann", "lost", 400, "2025-01-20", "2025-02-20", " ; ", None),
        ("D7", "A3", "Ann", "won", 800, "2025-03-01", "2025-03-20", "Beta;Delta", None),
        ("D8", "A1", "Ann", "lost", 900, "2024-11-01", "2024-12-15", "Acme", "Timing"),
        ("D9", "A2", "Bob", "won", 600, "2024-10-01", "2024-11-10", "Acme", None),
        ("D10", "A1", "Ann", "lost", 100, "2024-12-01", None, "Gamma", "Price"),
        ("D11", "Z9", "Ann", "lost", 300, "2025-01-05", "2025-01-15", "Beta", "Timing"),
    ],
)


def load_competitor_company(con) -> None:
    warehouse.load_frames(con, {"accounts": ACCOUNTS, "deals": DEALS}, source="test")


@pytest.fixture
def golden(con):
    load_competitor_company(con)
    return con


def rows(frame_: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """Rows as plain tuples; missing values become None."""
    out = []
    for values in frame_[columns].itertuples(index=False):
        out.append(tuple(None if pd.isna(v) else v for v in values))
    return out


SUMMARY = [
    "competitor",
    "count_deals",
    "count_won",
    "count_lost",
    "won_amount",
    "lost_amount",
    "median_cycle_days",
]


# --- golden: the query files ------------------------------------------------------------


def test_competitor_summary_splits_cells_and_ignores_open_deals(golden):
    got = queries.run(golden, "competitor_summary", Q1.params())
    assert rows(got, SUMMARY) == [
        ("Acme", 3, 1, 2, 1000.0, 2500.0, 61.0),  # D5 (open, Acme) never counts
        ("Beta", 3, 2, 1, 1800.0, 300.0, 40.0),  # ';' and ',' both split; D11 has no account
        ("Delta", 1, 1, 0, 800.0, 0.0, 19.0),  # met only once
        ("Gamma", 1, 0, 1, 0.0, 500.0, None),  # met only once, lost: no cycle
        (None, 2, 1, 1, 3000.0, 400.0, 60.0),  # D4 and D6 (a cell of blanks names no one)
    ]


def test_competitor_summary_all_time_counts_undated_deals(golden):
    got = queries.run(golden, "competitor_summary", Filters().params())
    # Acme adds D8 (lost) and D9 (won, 40 days): 5 deals, 2 won, cycles 61 and 40 -> 50.5.
    # Gamma adds D10 (lost, no close date: with no period every row counts).
    assert rows(got, SUMMARY) == [
        ("Acme", 5, 2, 3, 1600.0, 3400.0, 50.5),
        ("Beta", 3, 2, 1, 1800.0, 300.0, 40.0),
        ("Gamma", 2, 0, 2, 0.0, 600.0, None),
        ("Delta", 1, 1, 0, 800.0, 0.0, 19.0),
        (None, 2, 1, 1, 3000.0, 400.0, 60.0),
    ]


def test_competitor_summary_follows_segment_and_owner(golden):
    smb = Filters(Q1.start_date, Q1.end_date, segments=("SMB",))
    got = queries.run(golden, "competitor_summary", smb.params())
    # A1 and A3 only: D1 D2 D6 D7 (D11's account is unknown, so it has no segment).
    assert rows(got, SUMMARY[:4]) == [
        ("Acme", 2, 1, 1),
        ("Beta", 2, 2, 0),
        ("Delta", 1, 1, 0),
        ("Gamma", 1, 0, 1),
        (None, 1, 0, 1),
    ]
    bob = Filters(Q1.start_date, Q1.end_date, owners=("Bob",))
    got = queries.run(golden, "competitor_summary", bob.params())
    assert rows(got, SUMMARY[:4]) == [("Acme", 1, 0, 1), (None, 1, 1, 0)]  # D3, D4


def test_competitor_totals_count_each_deal_once(golden):
    got = queries.run(golden, "competitor_totals", Q1.params())
    assert rows(got, ["deal_group", *SUMMARY[1:]]) == [
        ("all", 7, 3, 4, 4800.0, 3200.0, 60.0),  # cycles 61, 60, 19
        ("any", 5, 2, 3, 1800.0, 2800.0, 40.0),  # D1 D2 D3 D7 D11; lost 500 + 2000 + 300
        ("none", 2, 1, 1, 3000.0, 400.0, 60.0),  # D4 D6
    ]
    none_closed = Filters(date(2020, 1, 1), date(2020, 1, 2)).params()
    empty = queries.run(golden, "competitor_totals", none_closed)
    assert rows(empty, ["deal_group", "count_deals"]) == [("all", 0)]


def test_competitor_loss_reasons(golden):
    got = queries.run(golden, "competitor_loss_reasons", Q1.params())
    assert rows(got, ["competitor", "loss_reason", "count_deals", "lost_amount"]) == [
        ("Acme", "Lost to competitor", 1, 2000.0),  # D3
        ("Acme", "Price", 1, 500.0),  # D2 (also Gamma's)
        ("Beta", "Timing", 1, 300.0),  # D11
        ("Gamma", "Price", 1, 500.0),  # D2
        (None, None, 1, 400.0),  # D6: no competitor, no reason recorded
    ]


def test_competitor_by_quarter(golden):
    got = queries.run(golden, "competitor_by_quarter", Filters().params())
    got["quarter_start"] = got["quarter_start"].map(lambda d: f"{d:%Y-%m-%d}")
    assert rows(got, ["competitor", "quarter_start", "count_won", "count_lost"]) == [
        ("Acme", "2024-10-01", 1, 1),  # D9 won, D8 lost
        ("Acme", "2025-01-01", 1, 2),
        ("Beta", "2025-01-01", 2, 1),
        ("Delta", "2025-01-01", 1, 0),
        ("Gamma", "2025-01-01", 0, 1),  # D10 has no close date, so no quarter
        (None, "2025-01-01", 1, 1),
    ]


def test_competitor_by_segment(golden):
    got = queries.run(golden, "competitor_by_segment", Q1.params())
    assert rows(got, ["competitor", "segment", "count_won", "count_lost"]) == [
        ("Acme", "Enterprise", 0, 1),  # D3
        ("Acme", "SMB", 1, 1),  # D1, D2
        ("Beta", "(not set)", 0, 1),  # D11: account not in accounts
        ("Beta", "SMB", 2, 0),  # D1, D7
        ("Delta", "SMB", 1, 0),
        ("Gamma", "SMB", 0, 1),
        (None, "Enterprise", 1, 0),  # D4
        (None, "SMB", 0, 1),  # D6
    ]


def test_competitor_names_in_colour_order(golden):
    got = queries.run(golden, "competitor_names", Filters().scope_params())
    # Every deal, open and undated included: Acme D1 D2 D3 D5 D8 D9; Beta D1 D7 D11;
    # Gamma D2 D10; Delta D7.
    assert rows(got, ["competitor", "count_deals"]) == [
        ("Acme", 6),
        ("Beta", 3),
        ("Gamma", 2),
        ("Delta", 1),
    ]
    assert competitors.names(golden) == ["Acme", "Beta", "Gamma", "Delta"]


# --- the Wilson interval ----------------------------------------------------------------


def test_wilson_interval():
    # p = s/n, z = 1.96: centre (p + z²/2n) / (1 + z²/n), half z·√(p(1-p)/n + z²/4n²) / (…)
    # 1 of 1: centre 2.9208 / 4.8416 = 0.6033, half 1.96 · 0.98 / 4.8416 = 0.3967.
    assert measures.wilson_interval(1, 1) == (pytest.approx(0.206543, abs=1e-6), 1.0)
    # 1 of 3: centre 0.4269, half 0.3654.
    low, high = measures.win_rate_interval(1, 2)
    assert (low, high) == (pytest.approx(0.061490, abs=1e-6), pytest.approx(0.792345, abs=1e-6))
    assert measures.wilson_interval(0, 1) == (0.0, pytest.approx(1 - 0.206543, abs=1e-6))
    assert measures.win_rate_interval(0, 0) == (None, None)  # nothing closed: no interval
    lows, highs = measures.win_rate_interval(pd.Series([1, 0]), pd.Series([2, 0]))
    assert lows.iloc[0] == pytest.approx(0.061490, abs=1e-6) and pd.isna(lows.iloc[1])
    assert highs.iloc[0] == pytest.approx(0.792345, abs=1e-6) and pd.isna(highs.iloc[1])


# --- golden: the data functions ---------------------------------------------------------


def test_positioning_rates_intervals_encounter_and_previous_period(golden):
    view = competitors.positioning(golden, Q1)
    table = view.table.set_index("label")
    assert table.index.tolist() == ["Acme", "Beta", "Delta", "Gamma", competitors.NO_COMPETITOR]
    assert table["win_rate"].tolist() == pytest.approx([1 / 3, 2 / 3, 1.0, 0.0, 0.5])
    # Encounter rate: deals met / 7 closed deals.
    assert table["encounter_rate"].tolist() == pytest.approx([3 / 7, 3 / 7, 1 / 7, 1 / 7, 2 / 7])
    assert table.at["Acme", "win_rate_low"] == pytest.approx(0.061490, abs=1e-6)
    assert table.at["Delta", "win_rate_low"] == pytest.approx(0.206543, abs=1e-6)  # 1 of 1
    assert table["is_small"].all()  # fewer than 20 closed deals each
    assert table.at["Acme", "amount_closed"] == 3500.0
    # Loss reasons named per competitor; ties alphabetical.
    assert table.at["Acme", "top_loss_reasons"] == "Lost to competitor 1 · Price 1"
    assert table.at[competitors.NO_COMPETITOR, "top_loss_reasons"] == "(not recorded) 1"
    assert table.at["Delta", "top_loss_reasons"] == ""
    # Previous period (3 Oct - 31 Dec 2024): Acme D8 lost, D9 won -> 50%; now 1/3: -16.7 pts.
    assert view.previous_label == PREVIOUS
    assert table.at["Acme", "previous_count_closed"] == 2
    assert table.at["Acme", "win_rate_change"] == pytest.approx(1 / 3 - 1 / 2)
    assert pd.isna(table.at["Beta", "win_rate_change"])  # not met before
    assert view.coverage == pytest.approx(5 / 7) and view.closed == 7
    assert view.notes == ["1 closed deal without a close date is in no period, so left out."]


def test_positioning_all_time_has_no_previous_period(golden):
    view = competitors.positioning(golden, Filters())
    assert view.previous_label is None and view.previous_totals is None and view.notes == []
    assert view.table["win_rate_change"].isna().all()


def test_tiles_put_coverage_first(golden):
    tiles = competitors.tiles(competitors.positioning(golden, Q1))
    got = [(t.label, t.value, t.delta, t.caption) for t in tiles]
    assert got == [
        # 5 of 7 now; 2 of 2 (D8, D9) in the previous period. Both changes are within their
        # 95% binomial margin (issue 19, point 3): coverage 196·√(5/7·2/7/7 + 0) = 33.5 pts;
        # win rate 2/5 vs 1/2: 196·√(.4·.6/5 + .5·.5/2) = 196·√.173 = 81.5 pts.
        ("Competitor recorded", "71.4%", "−28.6 pts · within noise (±33.5 pts)",
         "on 5 of 7 closed deals"),
        ("Win rate, competitor named", "40.0%", "−10.0 pts · within noise (±81.5 pts)",
         "2 won of 5 closed"),  # was 1/2
        ("Win rate, none recorded", "50.0%", None, "1 won of 2 closed"),  # none before
        ("Hurts most", "—", None, "no competitor met on 20+ closed deals"),
    ]  # fmt: skip


def test_hurts_most_needs_enough_deals_and_names_the_segment(golden, monkeypatch):
    view = competitors.positioning(golden, Q1)
    assert competitors.hurts_most(view) is None
    assert "No competitor was named on 20 or more" in competitors.headline(
        view, competitors.by_segment(golden, Q1)
    )
    monkeypatch.setattr(competitors, "MIN_COUNT", 2)  # Acme (1/3) and Beta (2/3) now count
    view = competitors.positioning(golden, Q1)
    assert competitors.hurts_most(view)["label"] == "Acme"
    segments = competitors.by_segment(golden, Q1)
    # Acme in Enterprise is 0 of 1 (too few); in SMB 1 of 2, but the base there (no
    # competitor in SMB: D6 alone, 0 of 1) rests on too few deals to measure it against:
    # no segment is marked (before: SMB, on its raw win rate).
    assert not segments["is_weakest"].any()
    assert competitors.headline(view, segments) == (
        "**Acme hurts most**: we won 33.3% of the 3 closed deals that named it (95% interval "
        "6.1%–79.2%), against 50.0% of 2 with no competitor recorded. No segment stands out: "
        "in none is our win rate against it below our win rate with no competitor in the "
        f"same segment by more than noise. Against {PREVIOUS}: −16.7 pts (from 50.0% of 2)."
    )


def test_strongest_is_judged_against_no_competitor_in_the_same_segment():
    """Worked by hand (fix19a point 5). Rows as competitor_by_segment returns them:
    no competitor: Enterprise 40 of 100 (40%), SMB 60 of 100 (60%), (not set) 50 of 100.
    Acme: Enterprise 20 of 100 (20%): lift 20 - 40 = -20 pts, margin
            1.96·100·√(.2·.8/100 + .4·.6/100) = 1.96·100·√.004 = 12.40: beyond noise;
          SMB 30 of 100 (30%): lift -30 pts, margin 1.96·100·√(.0021 + .0024) = 13.15:
            beyond, and the larger drop: Acme is strongest in SMB, though its raw win rate
            is lowest in Enterprise (our weakest segment anyway);
          (not set) 5 of 100: lift -45, never marked.
    Beta: Enterprise 35 of 100: -5 pts (±13.40); SMB 55 of 100: -5 pts (±13.68): both
          within noise, so no mark.
    Corvo: Enterprise 10 of 10: too few deals (under 20), never marked."""
    rows = [
        (None, "Enterprise", 40, 60),
        (None, "SMB", 60, 40),
        (None, "(not set)", 50, 50),
        ("Acme", "Enterprise", 20, 80),
        ("Acme", "SMB", 30, 70),
        ("Acme", "(not set)", 5, 95),
        ("Beta", "Enterprise", 35, 65),
        ("Beta", "SMB", 55, 45),
        ("Corvo", "Enterprise", 10, 0),
    ]
    raw = pd.DataFrame(rows, columns=["competitor", "segment", "count_won", "count_lost"])
    got = competitors.segment_lift(raw).set_index(["label", "segment"])
    assert got.loc[("Acme", "Enterprise"), "lift"] == pytest.approx(-20)
    assert got.loc[("Acme", "Enterprise"), "lift_margin"] == pytest.approx(12.396, abs=1e-3)
    assert got.loc[("Acme", "SMB"), "lift"] == pytest.approx(-30)
    assert got.loc[("Acme", "SMB"), "lift_margin"] == pytest.approx(13.148, abs=1e-3)
    assert got.loc[("Beta", "SMB"), "lift_margin"] == pytest.approx(13.685, abs=1e-3)
    assert got.index[got["is_weakest"]].tolist() == [("Acme", "SMB")]
    assert pd.isna(got.loc[(competitors.NO_COMPETITOR, "SMB"), "lift"])
    fig = charts.segment_heatmap(
        got.reset_index(), ["Acme", "Beta", "Corvo"], charts.competitor_colors([]), "t"
    )
    heat = fig.data[0]
    assert list(fig.layout.yaxis.ticktext) == ["Enterprise", "SMB", "(not set)"]
    assert heat.text[1][0] == "▼ 30.0%<br>−30.0 pts (±13.1)<br>30 of 100"
    assert heat.text[0][0] == "20.0%<br>−20.0 pts (±12.4)<br>20 of 100"  # no mark
    assert not heat.text[2][0].startswith("▼")  # (not set): -45 pts, never marked
    assert heat.z[1][0] == pytest.approx(-30) and heat.z[1][1] == 0  # Beta: within noise
    assert heat.zmid == 0 and "▼" not in "".join(heat.text[:, 1])


def test_summary_table_adds_totals_that_never_double_count(golden):
    table = competitors.summary_table(competitors.positioning(golden, Q1))
    assert table["Competitor"].tolist() == [
        "Acme",
        "Beta",
        "Delta",
        "Gamma",
        competitors.NO_COMPETITOR,
        competitors.ANY_COMPETITOR,
        competitors.ALL_DEALS,
    ]
    assert table["Closed deals met"].tolist() == ["3", "3", "1", "1", "2", "5", "7"]
    assert table["Win rate"].tolist() == ["33.3%", "66.7%", "100.0%", "0.0%", "50.0%", "40.0%",
                                          "42.9%"]  # fmt: skip
    assert table.at[2, "95% interval"] == "20.7%–100.0%"  # Delta, met once
    assert table["Amount lost"].tolist()[-2:] == ["$2.8K", "$3.2K"]
    assert table["Median cycle (won)"].tolist() == [
        "61 days", "40 days", "19 days", "—", "60 days", "40 days", "60 days",
    ]  # fmt: skip
    # Previous period: any 1/2, all 1/2 (D8 lost, D9 won): -10.0 and -7.1 pts.
    assert table["Win rate vs previous period"].tolist() == [
        "−16.7 pts", "—", "—", "—", "—", "−10.0 pts", "−7.1 pts",
    ]  # fmt: skip


def test_loss_reasons_share_of_each_competitors_losses(golden, monkeypatch):
    got = competitors.loss_reasons(golden, Filters())
    # All time: Acme lost D2 (Price), D3 (Lost to competitor), D8 (Timing); Gamma D2, D10.
    assert rows(got, ["label", "reason", "count_deals", "share_of_losses"]) == [
        ("Acme", "Price", 1, pytest.approx(1 / 3)),
        ("Acme", "Timing", 1, pytest.approx(1 / 3)),
        ("Acme", "Lost to competitor", 1, pytest.approx(1 / 3)),
        ("Beta", "Timing", 1, 1.0),
        ("Gamma", "Price", 2, 1.0),
        (competitors.NO_COMPETITOR, competitors.NOT_RECORDED, 1, 1.0),
    ]  # Price 3 deal-rows, Timing 2, Lost to competitor 1: the column order
    monkeypatch.setattr(competitors, "REASON_COLUMNS", 1)
    got = competitors.loss_reasons(golden, Filters())
    acme = got[got["label"] == "Acme"]
    assert rows(acme, ["reason", "count_deals"]) == [("Price", 1), ("Other reasons", 2)]


def test_by_quarter_fills_gaps_and_marks_partial_quarters(golden):
    febmar = Filters(date(2025, 2, 1), date(2025, 3, 31))
    got = competitors.by_quarter(golden, febmar)
    # In Feb-Mar: D2 D3 D4 D6 D7. Q1 2025 is only partly in the period.
    assert rows(got, ["label", "quarter", "count_won", "count_lost", "is_partial"]) == [
        ("Acme", "2025 Q1", 0, 2, True),
        ("Beta", "2025 Q1", 1, 0, True),
        ("Delta", "2025 Q1", 1, 0, True),
        ("Gamma", "2025 Q1", 0, 1, True),
        (competitors.NO_COMPETITOR, "2025 Q1", 1, 1, True),
    ]
    whole = competitors.by_quarter(golden, febmar, whole_history=True)
    beta = whole[whole["label"] == "Beta"]
    # The whole history runs 2024 Q4 - 2025 Q1; Beta closed nothing in 2024 Q4: a zero row.
    assert rows(beta, ["quarter", "count_closed", "win_rate"]) == [
        ("2024 Q4", 0, None),
        ("2025 Q1", 3, pytest.approx(2 / 3)),
    ]
    # The data's last day is 20 Mar 2025 (D7), so 2025 Q1 is still partial there.
    assert whole.groupby("quarter")["is_partial"].first().to_dict() == {
        "2024 Q4": False,
        "2025 Q1": True,
    }
    assert competitors.by_quarter(golden, Filters(date(2020, 1, 1), date(2020, 2, 1))).empty


def test_kpi_rows_for_the_cli(golden):
    assert kpi_report.report(golden, Q1)["competitors"] == [
        {"competitor": "Acme", "deals": 3, "won": 1, "lost": 2, "win_rate": pytest.approx(1 / 3)},
        {"competitor": "Beta", "deals": 3, "won": 2, "lost": 1, "win_rate": pytest.approx(2 / 3)},
        {"competitor": "Delta", "deals": 1, "won": 1, "lost": 0, "win_rate": 1.0},
        {"competitor": "Gamma", "deals": 1, "won": 0, "lost": 1, "win_rate": 0.0},
        {"competitor": None, "deals": 2, "won": 1, "lost": 1, "win_rate": 0.5},
    ]
    # No closed deal at all: still the no-competitor row, with no rate.
    empty = Filters(date(2020, 1, 1), date(2020, 1, 2))
    assert competitors.kpi_rows(golden, empty) == [
        {"competitor": None, "deals": 0, "won": 0, "lost": 0, "win_rate": None}
    ]


def test_kpis_cli_prints_competitors(con, db_path, capsys):
    from dashboard import cli

    load_competitor_company(con)
    con.close()
    assert cli.main(["kpis", "--db", str(db_path)]) == 0
    out = json.loads(capsys.readouterr().out)["competitors"]
    assert [(r["competitor"], r["deals"]) for r in out] == [
        ("Acme", 5),
        ("Beta", 3),
        ("Gamma", 2),
        ("Delta", 1),
        (None, 2),
    ]


# --- an imported export -----------------------------------------------------------------


def test_salesforce_report_competitors_reach_the_page(con):
    path = EXPORTS / "salesforce-opportunities-report.csv"
    inspection = loader.inspect(con, path, path.name)
    try:
        loader.commit(con, inspection)
    finally:
        loader.close(con, inspection)
    # Acme Corp won naming "Acmetrics; Corvia"; Beta is open (never counts); Gamma lost
    # naming Acmetrics.
    view = competitors.positioning(con, Filters())
    assert rows(view.table, ["competitor", "count_deals", "count_won", "count_lost"]) == [
        ("Acmetrics", 2, 1, 1),
        ("Corvia", 1, 1, 0),
        (None, 0, 0, 0),
    ]
    assert view.coverage == 1.0
    assert view.table.set_index("label").at["Acmetrics", "won_amount"] == 1234567.0
    assert competitors.kpi_rows(con, Filters())[0] == {
        "competitor": "Acmetrics",
        "deals": 2,
        "won": 1,
        "lost": 1,
        "win_rate": 0.5,
    }


def test_an_empty_warehouse_gives_empty_answers(con):
    view = competitors.positioning(con, Filters())
    assert view.closed == 0 and view.coverage is None and view.named.empty
    assert competitors.by_segment(con, Filters()).empty
    assert competitors.loss_reasons(con, Filters()).empty
    assert competitors.by_quarter(con, Filters()).empty


# --- invariants on the sample -----------------------------------------------------------


@pytest.mark.parametrize(
    "invariant",
    [
        # one row per (deal, competitor), names trimmed and never blank
        "select deal_id, competitor from summary_deal_competitors group by all having count(*) > 1",
        "select * from summary_deal_competitors where competitor <> trim(competitor)"
        " or competitor = ''",
        # every competitor row belongs to a deal whose cell names it
        "select * from summary_deal_competitors c join deals d using (deal_id)"
        " where strpos(d.competitor, c.competitor) = 0",
    ],
)
def test_summary_invariants(sample_con, invariant):
    assert sample_con.cursor().execute(invariant).fetchall() == []


RESULT_INVARIANTS = [
    # per competitor: won + lost = deals met; rates and intervals within 0-1, around the rate
    "select * from result where count_won + count_lost <> count_deals",
    "select * from result where win_rate < win_rate_low or win_rate > win_rate_high"
    " or win_rate_low < 0 or win_rate_high > 1",
    # nobody is met on more closed deals than there are; amounts never negative
    "select * from result where count_deals > (select count_deals from totals"
    " where deal_group = 'all') or won_amount < 0 or lost_amount < 0",
    # the no-competitor row is the 'none' total; competitor rows cover at least 'any'
    "select * from result r, totals t where r.competitor is null and t.deal_group = 'none'"
    " and (r.count_deals, r.count_won, r.count_lost) <> (t.count_deals, t.count_won, t.count_lost)",
    "select * from totals where deal_group = 'any' and count_deals > (select sum(count_deals)"
    " from result where competitor is not null)",
    "select * from totals a, totals n, totals t where a.deal_group = 'any'"
    " and n.deal_group = 'none' and t.deal_group = 'all'"
    " and (a.count_deals + n.count_deals <> t.count_deals"
    " or a.count_won + n.count_won <> t.count_won)",
]


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(date(2025, 11, 1), date(2026, 10, 31)),
        Filters(date(2025, 11, 1), date(2026, 10, 31), segments=("Enterprise",)),
    ],
)
def test_positioning_invariants_on_the_sample(sample_con, filters):
    cur = sample_con.cursor()
    view = competitors.positioning(cur, filters)
    assert len(view.named) == 5  # Acmetrics, Brightfield, Corvia, Dynalytics, Evergrid
    cur.register("result", view.table.drop(columns=["label"]))
    cur.register("totals", view.totals.reset_index())
    for sql in RESULT_INVARIANTS:
        assert cur.execute(sql).fetchall() == [], sql
    cur.unregister("result")
    cur.unregister("totals")
    # The closed deals match the overview's definition (deal_summary), each deal once.
    deals = queries.run_one(cur, "deal_summary", filters.params())
    assert view.closed == deals["deals_won"] + deals["deals_lost"]
    # Segment and quarter cells add up to each competitor's closed deals.
    for breakdown in (
        competitors.by_segment(cur, filters),
        competitors.by_quarter(cur, filters),
    ):
        summed = breakdown.groupby("label")["count_closed"].sum()
        dated = view.table.set_index("label")["count_deals"]
        assert (summed <= dated.reindex(summed.index)).all()
    segments = competitors.by_segment(cur, filters)
    assert (
        segments.groupby("label")["count_closed"].sum().to_dict()
        == view.table.set_index("label")["count_deals"].to_dict()
    )
    lost = competitors.loss_reasons(cur, filters).groupby("label")["count_deals"].sum()
    assert lost.to_dict() == view.table.set_index("label")["count_lost"].to_dict()


def test_the_sample_tells_its_story(sample_con):
    """Acmetrics hurts most; Dynalytics improves over time; about 60% of deals name one."""
    cur = sample_con.cursor()
    view = competitors.positioning(cur, Filters())
    assert competitors.hurts_most(view)["label"] == "Acmetrics"
    assert 0.5 < view.coverage < 0.7
    trend = competitors.by_quarter(cur, Filters())
    dyn = trend[(trend["label"] == "Dynalytics") & ~trend["is_small"]]
    first_year, last_year = dyn.head(4), dyn.tail(4)
    assert measures.win_rate(
        last_year["count_won"].sum(), last_year["count_lost"].sum()
    ) > measures.win_rate(first_year["count_won"].sum(), first_year["count_lost"].sum())


def test_every_competitor_query_runs_on_the_sample(sample_con):
    for name in (n for n in queries.available() if n.startswith("competitor_")):
        params = {k: v for k, v in Filters().params().items() if k in queries.parameters(name)}
        assert len(queries.run(sample_con.cursor(), name, params)) > 0, name


# --- charts -----------------------------------------------------------------------------


def test_each_competitor_keeps_its_colour():
    colors = charts.competitor_colors(["Acme", "Beta", "Gamma"])
    assert colors["Acme"] == charts.PALETTE[0] and colors["Gamma"] == charts.PALETTE[2]
    assert colors[competitors.NO_COMPETITOR] == charts.COLORS["neutral"]
    assert charts.COLORS["won"] not in charts.PALETTE  # won and lost keep their meaning
    many = charts.competitor_colors([f"C{i}" for i in range(10)])
    assert many["C0"] == many[f"C{len(charts.PALETTE)}"]  # the palette repeats, never fails


def test_positioning_map_shows_counts_change_and_baseline(golden):
    view = competitors.positioning(golden, Q1)
    colors = charts.competitor_colors(competitors.names(golden))
    fig = charts.positioning_map(view.table, colors, "t", view.previous_label)
    known, unknown = fig.data  # Acme has a previous period; the others were not met before
    assert list(known.x) == pytest.approx([1 / 3])  # Acme: 1 won of 3 closed
    assert known.y[0].endswith("Acme · met on 3 (42.9%)")  # 3 of 7 closed deals
    assert list(known.marker.color) == pytest.approx([100 * (1 / 3 - 1 / 2)])  # pts
    assert known.marker.line.color[0] == colors["Acme"]
    assert "1 won of 3 closed" in known.customdata[0][0]
    assert "−16.7 pts vs 3 Oct 2024 – 31 Dec 2024 (50.0% of 2)" in known.customdata[0][0]
    assert known.customdata[0][1] == "Acme"  # the name a click hands to the page
    assert sorted(c[1] for c in unknown.customdata) == ["Beta", "Delta", "Gamma"]
    assert unknown.name == "Not met before"
    assert fig.layout.shapes[0].x0 == 0.5  # the no-competitor baseline: 1 of 2
    assert list(known.error_x.arrayminus) == pytest.approx([1 / 3 - 0.061490], abs=1e-6)


def test_rival_chart_has_one_row_per_competitor_sorted_by_win_rate():
    # Issue 19 point 7: on the bubble map Corvia's interval bar crossed Dynalytics' bubble.
    # One row each, sorted by win rate (lowest, the one we beat least, on top): B 20% < A 40%
    # < C 60%, so no bar can reach another competitor's dot.
    table = pd.DataFrame(
        {
            "competitor": ["A", "B", "C", None],
            "label": ["A", "B", "C", "No competitor recorded"],
            "win_rate": [0.4, 0.2, 0.6, 0.5],
            "win_rate_low": [0.3, 0.1, 0.5, 0.45],
            "win_rate_high": [0.5, 0.3, 0.7, 0.55],
            "win_rate_change": [None, None, None, None],
            "is_small": [False, False, False, False],
            "count_deals": [10, 20, 30, 40],
            "count_closed": [10, 20, 30, 40],
            "count_won": [4, 4, 18, 20],
            "encounter_rate": [0.1, 0.2, 0.3, 0.4],
            "amount_closed": [None] * 4,
            "previous_win_rate": [None] * 4,
        }
    )
    fig = charts.positioning_map(table, {}, "t", None)
    (dots,) = fig.data
    assert [c[1] for c in dots.customdata] == ["B", "A", "C"]
    assert len(set(dots.y)) == 3 and fig.layout.yaxis.autorange == "reversed"
    assert list(fig.layout.yaxis.categoryarray) == list(dots.y)


def test_trend_chart_keeps_colours_and_greys_small_quarters(golden):
    trend = competitors.by_quarter(golden, Filters())
    colors = charts.competitor_colors(competitors.names(golden))
    fig = charts.trend_chart(trend, ["Acme", "Beta"], colors, "t")
    names = [t.name for t in fig.data]
    assert names == [
        "Acme",
        "Acme (few deals)",
        "Beta",
        "Beta (few deals)",
        competitors.NO_COMPETITOR,
        f"{competitors.NO_COMPETITOR} (few deals)",
    ]
    acme, few = fig.data[0], fig.data[1]
    assert acme.line.color == colors["Acme"]
    assert all(pd.isna(y) for y in acme.y)  # every quarter has under 20 deals: no line
    assert list(few.y) == pytest.approx([0.5, 1 / 3]) and few.marker.symbol == "circle-open"
    assert fig.data[4].line.dash == "dash"
    assert list(fig.layout.xaxis.ticktext) == ["2024 Q4", "2025 Q1 (part)"]


def test_segment_heatmap_prints_counts_and_marks_the_strongest(golden, monkeypatch):
    monkeypatch.setattr(competitors, "MIN_COUNT", 2)
    segments = competitors.by_segment(golden, Q1)
    colors = charts.competitor_colors(competitors.names(golden))
    fig = charts.segment_heatmap(segments, ["Acme", "Beta", "Delta", "Gamma"], colors, "t")
    heat = fig.data[0]
    assert [t.split("</span> ")[1] for t in fig.layout.xaxis.ticktext] == [
        "Acme", "Beta", "Delta", "Gamma", competitors.NO_COMPETITOR,
    ]  # fmt: skip
    assert list(fig.layout.yaxis.ticktext) == ["Enterprise", "SMB", "(not set)"]
    # Acme in SMB: 1 of 2, but SMB's no-competitor base is D6 alone (under 2): no base.
    assert heat.text[1][0] == "50.0%<br>no base<br>1 of 2"
    assert heat.text[0][0] == "0 of 1<br>few deals" and pd.isna(heat.z[0][0])
    assert heat.text[1][4] == "0 of 1<br>few deals"  # D6, no competitor, SMB
    assert heat.zmid == 0


def test_loss_reason_heatmap_rows_add_up_to_all_losses(golden):
    reasons = competitors.loss_reasons(golden, Filters())
    colors = charts.competitor_colors(competitors.names(golden))
    fig = charts.loss_reason_heatmap(reasons, ["Acme", "Beta", "Gamma"], colors, "t")
    heat = fig.data[0]
    assert [t.replace("<br>", " ") for t in fig.layout.xaxis.ticktext] == [
        "Price",
        "Timing",
        "Lost to competitor",
        competitors.NOT_RECORDED,
    ]
    for row in heat.z:
        assert pd.Series(row).sum() == pytest.approx(1.0)
    assert fig.layout.yaxis.ticktext[0].endswith("Acme · 3 lost")


# --- the page -------------------------------------------------------------------------------


@pytest.fixture
def competitor_app(app_db):
    return loaded(app_db, load_competitor_company)


def open_page(start: str = "2025-01-01", end: str = "2025-03-31") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["from"] = start
    at.query_params["to"] = end
    at.run()
    at.switch_page(page("competitors.py")).run()
    assert not at.exception, at.exception
    return at


def test_page_shows_coverage_table_and_charts(competitor_app):
    at = open_page()
    assert [t.value for t in at.title] == ["Competitors"]
    assert {m.label: m.value for m in at.metric} == {
        "Competitor recorded": "71.4%",
        "Win rate, competitor named": "40.0%",
        "Win rate, none recorded": "50.0%",
        "Hurts most": "—",
    }
    table = at.dataframe[0].value
    assert table["Competitor"].tolist()[:5] == [
        "Acme", "Beta", "Delta", "Gamma", competitors.NO_COMPETITOR,
    ]  # fmt: skip
    assert "no list price" in " ".join(c.value for c in at.caption)  # no invented price gap
    assert len(at.get("plotly_chart")) == 4
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["title"]["text"].startswith("Where we meet each competitor")
    assert at.multiselect(key="comp_trend_names").value == ["Acme", "Beta", "Delta", "Gamma"]
    at.multiselect(key="comp_trend_names").set_value(["Beta"]).run()
    at.toggle(key="comp_trend_all").set_value(True).run()
    assert not at.exception
    trend = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert trend["layout"]["title"]["text"].endswith("all quarters")
    assert {t["name"] for t in trend["data"]} >= {"Beta", competitors.NO_COMPETITOR}
    assert "Acme" not in {t["name"] for t in trend["data"]}


def test_page_warns_when_few_deals_name_a_competitor(competitor_app):
    at = open_page("2025-03-02", "2025-03-02")  # only D4 closed: it names no competitor
    warned = " ".join(w.value for w in at.warning)
    assert "None of the 1 closed deal in this period records a competitor" in warned
    assert "column is mapped" in warned  # other deals name one: not "no column was mapped"
    assert len(at.get("plotly_chart")) == 0
    at = open_page("2020-01-01", "2020-01-31")
    assert any("No deals were closed in this period" in i.value for i in at.info)


def test_competitor_names_match_across_case_and_spacing_and_placeholders_name_nobody(con):
    deals = frame(
        "deal_id status competitor",
        [
            ("D1", "won", "Acmetrics"),
            ("D2", "lost", "acmetrics ; Corvia"),
            ("D3", "lost", "ACMETRICS"),
            ("D4", "won", "None"),
            ("D5", "lost", "N/A, -"),
            ("D6", "won", "Big  Co; big co"),
        ],
    )
    warehouse.load_frames(con, {"deals": deals}, source="test")
    rows = con.execute(
        "select competitor, count(*) from summary_deal_competitors group by 1 order by 1"
    ).fetchall()
    # Three spellings of Acmetrics, once each: the mixed-case one is shown. D6 names Big Co
    # once (two spellings on one deal); None, N/A and - name nobody.
    assert rows == [("Acmetrics", 3), ("Big  Co", 1), ("Corvia", 1)]


def test_closed_deal_summaries_hold_every_closed_deal_once_per_competitor(sample_con):
    """summary_deals_closed and summary_deals_closed_competitors (what the competitor and
    overview queries read instead of joining deals) match the canonical tables row for row."""
    cur = sample_con.cursor()
    invariants = [
        # every won or lost deal once, nothing else
        """select deal_id from deals where status in ('won', 'lost')
           except all select deal_id from summary_deals_closed""",
        """select deal_id from summary_deals_closed
           except all select deal_id from deals where status in ('won', 'lost')""",
        # has_competitor = named in summary_deal_competitors
        """select * from summary_deals_closed
           where has_competitor <> (deal_id in (select deal_id from summary_deal_competitors))""",
        # one row per (closed deal, competitor), or one row with none
        """select c.deal_id, n.competitor from summary_deals_closed c
           left join summary_deal_competitors n using (deal_id)
           except all select deal_id, competitor from summary_deals_closed_competitors""",
        """select deal_id, competitor from summary_deals_closed_competitors
           except all select c.deal_id, n.competitor from summary_deals_closed c
           left join summary_deal_competitors n using (deal_id)""",
    ]
    for sql in invariants:
        assert cur.execute(sql).fetchall() == [], sql
    assert cur.execute("select count(*) from summary_deals_closed").fetchone()[0] > 0


def test_summary_table_has_no_amount_columns_when_no_amount_was_mapped(golden):
    # An export without amounts: "Amount won" and "Amount lost" would read "—" all the way
    # down (fix19a, seen on the no-amounts export); the note above the table says why.
    from dataclasses import replace

    view = competitors.positioning(golden, Q1)
    assert "Amount won" in competitors.summary_table(view).columns
    unmapped = replace(view, no_data={"competitor_amount": "no amount column was mapped"})
    table = competitors.summary_table(unmapped)
    assert "Amount won" not in table.columns and "Amount lost" not in table.columns


def test_summary_page_table_pairs_numbers_and_drops_blank_columns(golden):
    # Acme: met on 3 of 7 closed (42.9%), 1 won 2 lost; Q1 has a previous period: -16.7 pts.
    view = competitors.positioning(golden, Q1)
    shown = competitors.summary_page_table(competitors.summary_table(view))
    assert list(shown.columns) == list(competitors.SUMMARY_WIDTHS)
    acme = shown.iloc[0]
    assert (acme["Met on"], acme["Won · lost"], acme["vs previous"]) == (
        "3 (42.9%)", "1 · 2", "−16.7 pts",
    )  # fmt: skip
    all_time = competitors.positioning(golden, Filters())  # no previous period: no column
    shown = competitors.summary_page_table(competitors.summary_table(all_time))
    assert "vs previous" not in shown.columns
