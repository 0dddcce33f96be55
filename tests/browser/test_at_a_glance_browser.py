"""Issue 19 in real Chromium against the real server: what an executive reads at a glance.

Text and tick labels are read from the page (plotly's rendered SVG, the metric cards, the
tables' DOM), on the sample and on two small exports built here:
- `zero`: six deals with every amount 0, closed in three half-years (cycles 10, 10, 11 days);
- `undated`: the same deals without a creation date column.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import start_server, stop_server

pytestmark = pytest.mark.browser

# Six deals; the amounts are all 0 (an export whose amount column is mapped but empty).
# Half-year A (1 Jan - 30 Jun 2026) against the 181 days before (4 Jul - 31 Dec 2025):
#   won D3 (10 days) and lost D4 vs won D1 (10 days) and lost D2: win rate 50% vs 50%,
#   median cycle 10 vs 10 days -> "no change" twice.
# Half-year B (1 Jul - 31 Dec 2026) against 29 Dec 2025 - 30 Jun 2026: D5 won in 11 days vs
#   D3 in 10 -> "+1 day", bad news for a sales cycle (red).
DEALS = """deal_id,account_id,deal_name,pipeline,stage,amount,created_at,closed_at
D1,A1,One,Sales,Closed Won,0,2025-07-01,2025-07-11
D2,A2,Two,Sales,Closed Lost,0,2025-07-02,2025-07-12
D3,A1,Three,Sales,Closed Won,0,2026-01-05,2026-01-15
D4,A2,Four,Sales,Closed Lost,0,2026-01-06,2026-01-16
D5,A1,Five,Sales,Closed Won,0,2026-07-01,2026-07-12
D6,A2,Six,Sales,Closed Lost,0,2026-07-02,2026-07-13
"""
HALF_A = "from=2026-01-01&to=2026-06-30"
HALF_B = "from=2026-07-01&to=2026-12-31"


def _import(tmp: Path, name: str, csv: str, *options: str) -> Path:
    source, db = tmp / f"{name}.csv", tmp / f"{name}.duckdb"
    source.write_text(csv)
    cli = Path(sys.executable).with_name("crm-dashboard")
    command = [str(cli)] if cli.exists() else [sys.executable, "-m", "dashboard.cli"]
    subprocess.run(
        [*command, "import", str(source), "--table", "deals", *options, "--db", str(db)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return db


@pytest.fixture(scope="module")
def zero(tmp_path_factory):
    # An all-zero column is not guessed to be the amount: mapped as the analyst would.
    db = _import(tmp_path_factory.mktemp("zero"), "zero", DEALS, "--map", "amount=amount")
    proc, url = start_server(db)
    try:
        yield url
    finally:
        stop_server(proc)


@pytest.fixture(scope="module")
def undated(tmp_path_factory):
    rows = [line.rsplit(",", 2) for line in DEALS.strip().splitlines()]
    csv = "\n".join(f"{head},{closed}" for head, _created, closed in rows) + "\n"
    proc, url = start_server(_import(tmp_path_factory.mktemp("undated"), "undated", csv))
    try:
        yield url
    finally:
        stop_server(proc)


def _tile(page, label: str):
    return page.locator("[data-testid=stMetric]").filter(has_text=label)


def _delta(page, label: str) -> tuple[str, str, int]:
    """(text, css colour, number of arrow icons) of a tile's change."""
    delta = _tile(page, label).locator("[data-testid=stMetricDelta]")
    expect(delta).to_be_visible(timeout=60_000)
    colour = delta.evaluate("e => getComputedStyle(e).color")
    arrows = delta.locator("svg, [data-testid=stIconMaterial]").count()
    return delta.inner_text().strip(), colour, arrows


def _verdict(page, label: str) -> str:
    """The caption under a tile (where "Within noise (±N)" is written, then what it counts)."""
    label_of = page.locator("[data-testid=stMetricLabel]").filter(
        has_text=re.compile(rf"^{re.escape(label)}$")
    )
    column = page.locator("[data-testid=stColumn]").filter(has=label_of).last
    return column.locator("[data-testid=stCaptionContainer]").first.inner_text().strip()


def _rgb(colour: str) -> tuple[int, int, int]:
    r, g, b = (int(x) for x in re.findall(r"\d+", colour)[:3])
    return r, g, b


def _is_grey(colour: str) -> bool:
    r, g, b = _rgb(colour)
    return max(r, g, b) - min(r, g, b) < 40


def _plot_texts(page, selector: str) -> list[str]:
    """Text of plotly's rendered SVG elements (SVG has no innerText: textContent)."""
    found = page.locator(f".js-plotly-plot {selector}")
    return [t.strip() for t in found.evaluate_all("els => els.map(e => e.textContent || '')")]


def _wait_for_chart(page) -> None:
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=90_000)
    expect(page.locator(".js-plotly-plot .ytick").first).to_be_attached(timeout=30_000)


# ------------------------------------------------------------------ point 1: one money format


def test_all_zero_amounts_never_read_as_milli_or_millions(zero, page):
    # Before: plotly's "~s" axis read "$0, $200m, $400m, $600m, $800m, $1" for all-zero bars.
    page.goto(f"{zero}/?{HALF_A}", timeout=90_000)
    _wait_for_chart(page)
    ticks = _plot_texts(page, ".ytick text")
    assert ticks == ["$0"], ticks
    expect(_tile(page, "Won amount").locator("[data-testid=stMetricValue]")).to_have_text("$0")


def test_sample_money_has_one_format_on_tiles_and_axis(server, page):
    page.goto(server, timeout=90_000)
    _wait_for_chart(page)
    expect(page.locator("[data-testid=stMetric]")).to_have_count(7, timeout=90_000)
    for label in ("Open pipeline", "Won amount"):
        value = _tile(page, label).locator("[data-testid=stMetricValue]").inner_text()
        assert re.fullmatch(r"\$\d+\.\d[KMB]", value), value  # "$133.3M", never "$10M"
    ticks = [t for t in _plot_texts(page, ".ytick text") if t]
    # The axis is written by the tiles' formatter: "$0", "$5.0M", never "$250k" or "200m".
    assert ticks and all(re.fullmatch(r"\$0|\$\d+\.\d[KMB]", t) for t in ticks), ticks


# ------------------------------------------------------------ point 2: change colours and units


def test_no_change_is_grey_says_so_and_has_no_arrow(zero, page):
    # Before: "↑ +0 days" in red (inverse colour on a plus sign) and "↑ +0.0 pts" in green.
    page.goto(f"{zero}/?{HALF_A}", timeout=90_000)
    expect(page.locator("[data-testid=stMetric]").first).to_be_visible(timeout=90_000)
    for label in ("Median sales cycle", "Win rate"):
        text, colour, arrows = _delta(page, label)
        assert text == "no change", (label, text)
        assert _is_grey(colour), (label, colour)
        assert arrows == 0, label
    # Counts agree with their noun too (before: "1 won deals").
    expect(page.get_by_text("1 won deal · all pipelines", exact=True)).to_be_visible()


def test_one_day_longer_cycle_is_singular_and_grey_without_a_noise_test(zero, page):
    page.goto(f"{zero}/?{HALF_B}", timeout=90_000)
    expect(page.locator("[data-testid=stMetric]").first).to_be_visible(timeout=90_000)
    text, colour, _ = _delta(page, "Median sales cycle")
    assert text == "1 day"  # before: "+1 days"; the arrow alone gives the direction
    # One won deal a half-year: no interval for either median, so no noise test. Before: red
    # (a longer cycle is bad news), a verdict on one deal; now grey and said so.
    assert _is_grey(colour), colour
    assert _verdict(page, "Median sales cycle").startswith("No noise test for this figure · ")


# --------------------------------------------------------- point 3: tiles follow the noise test


def test_nps_tile_within_its_margin_is_grey_and_marked(server, page):
    # SMB · EMEA, last 12 months: NPS +14.5 against the year before, margin of the
    # difference ±18 (the page's own sentence says "within noise"). Before: green "↑ +14.5 pts".
    page.goto(f"{server}/satisfaction?segment=SMB&region=EMEA", timeout=90_000)
    expect(page.locator("[data-testid=stMetric]").first).to_be_visible(timeout=90_000)
    text, colour, _ = _delta(page, "NPS")
    assert text == "14.5 pts", text
    said = _verdict(page, "NPS")  # the margin as the sentence below writes it: ±x.x pts
    assert re.match(r"Within noise \(±1[78]\.\d pts\) · ", said), said
    assert _is_grey(colour), colour


def test_overview_competitor_and_health_tiles_run_the_noise_test(server, page):
    # Before: "New customers ↓ -2.3%" in red (512 vs 524: Poisson margin 1.96·√1036/524 =
    # ±12.0%), health "↓ -1 point" in red, and competitor coverage +0.7 pts coloured. Now each
    # is grey and says "within noise", and the direction is shown once (no minus sign).
    page.goto(server, timeout=90_000)
    expect(page.locator("[data-testid=stMetric]")).to_have_count(7, timeout=90_000)
    text, colour, arrows = _delta(page, "New customers")
    assert text == "2.3%", text
    assert _verdict(page, "New customers") == "Within noise (±12.0%) · 1,720 customers in all"
    assert _is_grey(colour) and arrows == 1, colour
    for label in ("Open pipeline", "Won amount", "Win rate", "NPS", "CSAT"):
        shown, _, _ = _delta(page, label)
        assert not shown.startswith(("+", "-")), (label, shown)  # before: "↑ +16.0%"
    page.goto(f"{server}/competitors", timeout=90_000)
    expect(page.locator("[data-testid=stMetric]").first).to_be_visible(timeout=120_000)
    text, colour, _ = _delta(page, "Competitor recorded")
    assert re.fullmatch(r"\d+\.\d pts", text), text
    said = _verdict(page, "Competitor recorded")
    assert re.match(r"Within noise \(±\d+\.\d pts\) · on ", said), said
    assert _is_grey(colour), colour
    page.goto(f"{server}/health", timeout=90_000)
    expect(page.locator("[data-testid=stMetric]")).to_have_count(5, timeout=180_000)
    for label in ("Customer", "Customization"):  # -1 point each, ±3 on 2,000 accounts
        text, colour, _ = _delta(page, label)
        assert text == "1 point" and _is_grey(colour), (text, colour)
        assert _verdict(page, label).startswith("Within noise (±3 points) · "), label


# -------------------------------------------------------- point 4: a subset says which subset


def test_funnel_charts_name_their_pipeline_and_overview_says_all(server, page):
    page.goto(f"{server}/funnel", timeout=90_000)
    expect(page.get_by_text("Days in each stage", exact=False).first).to_be_attached(
        timeout=120_000
    )
    expect(page.locator(".js-plotly-plot")).to_have_count(5, timeout=120_000)
    titles = _plot_texts(page, ".gtitle")
    for start in ("Days in each stage", "Sales cycle of", "Stage-to-stage", "Win rate and"):
        title = next(t for t in titles if t.startswith(start))
        assert "Sales Pipeline" in title, title  # before: "Days in each stage 1 Nov 2025 – …"
    page.goto(server, timeout=90_000)
    expect(page.get_by_text("won deals · all pipelines")).to_be_visible(timeout=90_000)


# ------------------------------------------------ point 5: the true cause, or no section at all


def test_all_time_empty_states_give_the_cause_never_widen(undated, page):
    page.goto(f"{undated}/funnel?period=all", timeout=90_000)
    expect(page.get_by_role("heading", name="How long")).to_be_visible(timeout=120_000)
    # Before: "Is it getting better?" with nothing under it (no creation date: no trend).
    heading = page.get_by_role("heading", name="Is it getting better?")
    expect(heading).to_be_visible(timeout=60_000)
    expect(
        page.get_by_text("No trend by month created: no creation date column was mapped")
    ).to_be_visible()
    for path in ("", "funnel", "retention", "satisfaction", "competitors"):
        page.goto(f"{undated}/{path}?period=all", timeout=90_000)
        expect(page.locator("[data-testid=stMainBlockContainer] h1")).to_be_visible(timeout=90_000)
        page.wait_for_timeout(3_000)
        main = page.locator("[data-testid=stMain]").inner_text()
        assert "Widen the period" not in main, path
        assert "in this period" not in main.replace("in this period for", ""), path


# ------------------------------------------------------------ point 7: tables look finished


def test_health_tables_have_words_dashes_and_formatted_numbers(server, page):
    page.goto(f"{server}/health", timeout=90_000)
    grids = page.locator("[data-testid=stDataFrame]")
    expect(grids).to_have_count(3, timeout=120_000)
    # The grid's accessible DOM (a table behind the canvas) carries headers and cell text.
    headers_js = (
        "() => [...document.querySelectorAll('[data-testid=stDataFrame] th,"
        " [data-testid=stTable] th')].map(e => e.textContent.trim()).filter(Boolean)"
    )
    page.wait_for_function(f"({headers_js})().includes('When')", timeout=60_000)
    headers = page.evaluate(headers_js)
    assert "When" in headers and "What it counts" in headers, headers
    assert not [h for h in headers if "_" in h or h[:1].islower()], headers
    cells = grids.last.evaluate("g => [...g.querySelectorAll('td')].map(e => e.textContent)")
    assert cells and "None" not in cells  # before: "None" beside every touch
    assert any(re.fullmatch(r"\$\d+(\.\d[KMB])?", c) for c in cells), cells  # not 42674.94
    # "What it counts" wraps in full inside the page instead of being cut at the edge.
    table = page.locator("[data-testid=stTable]").first
    expect(table).to_contain_text("in the 90 days before the period ends")
    main = page.locator("[data-testid=stMainBlockContainer]").bounding_box()
    right = table.locator("th").last.bounding_box()
    assert right["x"] + right["width"] <= main["x"] + main["width"] + 1


# ------------------------------------------- health: accounts that rank, one colour per part


LEGEND_JS = """el => [...el.querySelectorAll('.legend .traces')].map(t => {
    const bar = t.querySelector('.legendpoints path'), line = t.querySelector('.legendlines path');
    return [t.querySelector('.legendtext').textContent,
            bar ? getComputedStyle(bar).fill : '', line ? getComputedStyle(line).stroke : ''];
})"""


def test_health_accounts_rank_parts_keep_colours_and_the_footnote_is_true(server, page):
    page.goto(f"{server}/health", timeout=90_000)
    expect(page.get_by_text("Ranked by the ranking score", exact=False)).to_be_visible(
        timeout=180_000
    )  # every column in words (before: an unexplained "beyond targets" column)
    grid = (
        page.locator("[data-testid=stDataFrame], [data-testid=stTable]")
        .filter(has_text="Ranking score")
        .first
    )
    expect(grid).to_be_attached(timeout=60_000)
    headers = grid.evaluate(
        "g => [...g.querySelectorAll('th')].map(e => e.textContent.trim()).filter(Boolean)"
    )
    assert headers[:4] == ["Account", "Segment", "Ranking score (0–200)", "Health (0–100)"], headers
    cells = grid.evaluate("g => [...g.querySelectorAll('td')].map(e => e.textContent.trim())")
    width = len(headers)
    rows = [cells[i : i + width] for i in range(0, len(cells), width)][:10]
    parts = [cell for row in rows for cell in row[4:]]
    assert set(parts) != {"100"}, rows  # before: 100 in every part column
    ranks = [float(row[2]) for row in rows]
    assert ranks == sorted(ranks, reverse=True) and len(set(ranks)) > 1, ranks
    # The trend's footnote describes the period chosen (Last 12 months), not "no period".
    expect(page.get_by_text("Each point scores a window of 365 days", exact=False)).to_be_visible()
    charts = page.locator(".js-plotly-plot")
    expect(charts).to_have_count(2, timeout=120_000)
    bars = {name: fill for name, fill, _ in charts.nth(0).evaluate(LEGEND_JS)}
    lines = {name: stroke for name, _, stroke in charts.nth(1).evaluate(LEGEND_JS)}
    assert set(bars) <= set(lines), (bars, lines)
    assert all(bars[p] == lines[p] for p in bars), (bars, lines)  # before: one step apart


# ------------------------------------- retention tiles: their cohort in dates, and a change


def test_retention_tiles_name_their_customers_and_show_a_change(server, page):
    # Before: "131 of 1,124 customers who ordered in 1 Nov 2024 – 31 Oct 2025" beside the
    # heatmap of this period's cohorts, with no change. Now the caption says whom it follows
    # and over which dates, and each tile has a change judged by its margin, when the cohort
    # it compares with is complete: on the last 12 months it would be the data's first year
    # (test_fix19b_browser), so the change is shown over May - Oct 2026.
    page.goto(f"{server}/retention", timeout=90_000)
    expect(page.locator("[data-testid=stMetric]")).to_have_count(3, timeout=120_000)
    expect(
        page.get_by_text(
            re.compile(r"customers who ordered 1 Nov 2024 – 31 Oct 2025, followed 1 Nov 2025")
        )
    ).to_be_visible(timeout=60_000)
    page.goto(f"{server}/retention?from=2026-05-01&to=2026-10-31", timeout=90_000)
    expect(page.locator("[data-testid=stMetric]")).to_have_count(3, timeout=120_000)
    for label in ("Churn", "Gross revenue retention", "Net revenue retention"):
        text, colour, arrows = _delta(page, label)
        assert re.fullmatch(r"\d+\.\d pts", text) and arrows == 1, (label, text)
    text, colour, _ = _delta(page, "Churn")
    assert _verdict(page, "Churn").startswith("Within noise (±"), text  # +2.1 pts, ±3.5
    assert _is_grey(colour), colour


# ------------------------------------------- satisfaction: empty months are gaps, not dropped


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def test_nps_share_bars_keep_empty_months_and_name_each_series(server, page):
    # Enterprise · APAC, all time: NPS answers every other month or so (June 2024 has none).
    # Before: the months with no answers were dropped from the category axis.
    page.goto(f"{server}/satisfaction?segment=Enterprise&region=APAC&period=all", timeout=90_000)
    chart = page.locator(".js-plotly-plot").filter(has_text="Promoters, passives and detractors")
    expect(chart).to_have_count(1, timeout=120_000)
    ticks = chart.evaluate("e => [...e.querySelectorAll('.xtick text')].map(t => t.textContent)")
    months = [(int(t[-4:]), MONTHS.index(t[:3])) for t in ticks]
    steps = {
        (y2 - y1) * 12 + (m2 - m1) for (y1, m1), (y2, m2) in zip(months, months[1:], strict=False)
    }
    assert steps == {1}, ticks  # one slot per month, none skipped
    assert "Jun 2024" in ticks, ticks
    legend = chart.evaluate("e => [...e.querySelectorAll('.legendtext')].map(t => t.textContent)")
    assert sorted(legend) == ["Detractors (0–6)", "Passives (7–8)", "Promoters (9–10)"], legend
