"""One section per page for the digest and the pages' PDF: the page's tiles and its headline
chart, built by the page's own data and chart functions with the page's default options."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import plotly.graph_objects as go

from dashboard.analytics.competitors import charts as competitor_charts
from dashboard.analytics.competitors import data as competitors
from dashboard.analytics.funnel import charts as funnel_charts
from dashboard.analytics.funnel import data as funnel
from dashboard.analytics.health import charts as health_charts
from dashboard.analytics.health import config as health_config
from dashboard.analytics.health import metrics as health_metrics
from dashboard.analytics.health import report as health
from dashboard.analytics.health import scoring
from dashboard.analytics.overview import charts as overview_charts
from dashboard.analytics.overview import data as overview
from dashboard.analytics.retention import charts as retention_charts
from dashboard.analytics.retention import data as retention
from dashboard.analytics.satisfaction import charts as satisfaction_charts
from dashboard.analytics.satisfaction import data as satisfaction
from dashboard.core import measures
from dashboard.core.filters import Filters
from dashboard.core.periods import describe
from dashboard.core.tiles import Tile


@dataclass(frozen=True)
class Section:
    page: str  # the key in PAGES
    title: str
    url_path: str  # the page's path in the app ("" for the overview at "/")
    figure: go.Figure | None  # the headline chart; None when there is nothing to draw
    empty: str | None = None  # why there is no chart, and what would fill it
    tiles: list[Tile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def overview_section(cur: duckdb.DuckDBPyConnection, filters: Filters) -> Section:
    summary = overview.kpi_summary(cur, filters)
    trend = measures.closed_deals_by_month(cur, filters)
    if trend.empty:
        return _empty("overview", "No deals were closed in this period for these filters.")
    title = overview.trend_title(trend, describe(filters))
    figure = overview_charts.won_trend_chart(trend, title)
    return Section("overview", "Overview", "", figure, None, summary.tiles, summary.notes)


def funnel_section(cur: duckdb.DuckDBPyConnection, filters: Filters) -> Section:
    options = funnel.pipelines(cur, filters)
    if options.empty:
        return _empty("funnel", "No pipeline stages are loaded, so deals have no funnel.")
    pipeline = options["pipeline"].iloc[0]  # the one with most deals, as the page opens
    steps = funnel.funnel_steps(cur, filters, pipeline=pipeline)
    if steps.empty:
        return _empty(
            "funnel", funnel.funnel_empty(pipeline, filters, funnel.no_data(cur, filters))
        )
    where = describe(filters)
    figure = funnel_charts.funnel_chart(steps, f"{pipeline} funnel · deals created · {where}")
    notes = [funnel.headline(steps, where, None)]
    if unknown := funnel.stop_unknown_words(steps):  # why the chart says "conversion unknown"
        notes.append(unknown)
    return Section("funnel", "Funnel", "funnel", figure, notes=notes)


def retention_section(cur: duckdb.DuckDBPyConnection, filters: Filters) -> Section:
    period = retention.period_retention(cur, filters)
    measure = next(iter(retention.MEASURES))
    if why := retention.empty_state(retention.no_data(cur, filters), measure):
        return _empty("retention", why, period.tiles)
    view = retention.cohorts(cur, filters)
    if view.cells.empty:
        return _empty("retention", "No customer's first order falls in this period.", period.tiles)
    title = retention.chart_title("of", view, measure, filters)
    figure = retention_charts.cohort_heatmap(
        view.cells, view.average, measure=measure, grain=view.grain, basis=view.basis, title=title
    )
    return Section("retention", "Retention", "retention", figure, None, period.tiles, [period.note])


def satisfaction_section(cur: duckdb.DuckDBPyConnection, filters: Filters) -> Section:
    headline = satisfaction.headline(cur, filters)
    view = satisfaction.trend(cur, filters)
    kind = next(iter(satisfaction.SURVEYS))  # NPS, as the page opens
    if not view.points.loc[view.points["survey_type"] == kind, "responses"].sum():
        why = satisfaction.no_data(cur, filters).get("satisfaction")
        return _empty("satisfaction", why or "No NPS answers in this period.", headline.tiles)
    title = f"{satisfaction.SURVEYS[kind]} by month · {describe(filters)}"
    figure = satisfaction_charts.trend_chart(
        view.points, kind, grain="month", min_responses=view.min_responses, rolling=1, title=title
    )
    return Section(
        "satisfaction", "Satisfaction", "satisfaction", figure, None, headline.tiles, headline.notes
    )


def competitors_section(cur: duckdb.DuckDBPyConnection, filters: Filters) -> Section:
    view = competitors.positioning(cur, filters)
    if empty := competitors.empty_state(view, filters):
        return _empty("competitors", empty)
    tiles = competitors.tiles(view)
    if view.named.empty:
        return _empty("competitors", "No closed deal names a competitor.", tiles)
    # Colours from every competitor the person may see, as the page gives them.
    colors = competitor_charts.competitor_colors(
        competitors.names(cur, Filters().within(filters.scope))
    )
    title = f"Where we meet each competitor and how we fare · {describe(filters)}"
    figure = competitor_charts.positioning_map(view.table, colors, title, view.previous_label)
    return Section("competitors", "Competitors", "competitors", figure, None, tiles, view.notes)


def health_section(cur: duckdb.DuckDBPyConnection, filters: Filters) -> Section:
    preset = health_config.load()[health_config.DEFAULT_PRESET]
    data = health_metrics.health_data(cur, filters)
    now = scoring.score(preset, data.overall)
    before = scoring.score(preset, data.previous) if data.previous else None
    tiles = health.tiles(now, before, preset, filters)
    if health.never_fed(now, data.no_data):
        return _empty("health", health.headline(now, preset, data.no_data), tiles)
    names = [p.name for p in now.parts]
    title = f"Part scores by segment ({preset.label}) · {describe(filters)}"
    figure = health_charts.segment_bars(
        health.segment_scores(data, preset), names, title, preset.bands
    )
    notes = [health.headline(now, preset, data.no_data)]
    return Section("health", "Health", "health", figure, None, tiles, notes)


# page key -> (title, URL path, builder), in the app's navigation order.
PAGES: dict[str, tuple[str, str, Callable[[duckdb.DuckDBPyConnection, Filters], Section]]] = {
    "overview": ("Overview", "", overview_section),
    "funnel": ("Funnel", "funnel", funnel_section),
    "retention": ("Retention", "retention", retention_section),
    "satisfaction": ("Satisfaction", "satisfaction", satisfaction_section),
    "competitors": ("Competitors", "competitors", competitors_section),
    "health": ("Health", "health", health_section),
}


def section(cur: duckdb.DuckDBPyConnection, filters: Filters, page: str) -> Section:
    return PAGES[page][2](cur, filters)


def _empty(page: str, why: str, tiles: list[Tile] | None = None) -> Section:
    title, path, _ = PAGES[page]
    return Section(page, title, path, None, why, list(tiles or []))
