"""What the overview page shows: KPI tiles with period-over-period change, and the trend."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from dashboard.core import formatting, measures, noise, queries
from dashboard.core.filters import Filters
from dashboard.core.periods import describe_period
from dashboard.core.tiles import Tile

# Tiles over deals of every pipeline, said on the tile: the funnel's figures cover one
# pipeline and name it, so "median 57 days" there and "49 days" here read as two subsets.
ALL_PIPELINES = ("median_sales_cycle_days",)
# Tiles whose change no noise test can judge (open pipeline, a stock at a date; the sales
# cycle when a period has too few won deals for its median's interval): grey, said so.
UNTESTED = ("pipeline_open_amount", "median_sales_cycle_days")


@dataclass(frozen=True)
class Summary:
    tiles: list[Tile]
    notes: list[str]  # data the period leaves out, in words


def kpi_summary(cur: duckdb.DuckDBPyConnection, filters: Filters) -> Summary:
    """The overview tiles; each compares with the previous period of equal length if any."""
    current, current_surveys = measures.kpis_and_survey_counts(cur, filters)
    previous_filters = filters.previous_period()
    previous, previous_surveys = (
        measures.kpis_and_survey_counts(cur, previous_filters) if previous_filters else (None, {})
    )
    tiles = []
    for key in measures.OVERVIEW_TILES:
        m = measures.MEASURES[key]
        fmt = formatting.FORMATTERS[m.unit]
        delta = formatting.delta(current[key], previous[key], m.unit) if previous else None

        compared = (
            f" Compared with {describe_period(previous_filters)}."
            if previous_filters
            else " Pick a period to compare with the one before."
        )
        missing = current["no_data"].get(key)
        caption = formatting.counted(current[m.basis_key], m.basis_label)
        if missing:
            caption = f"No data: {missing}."
        elif key in current["coverage"]:
            caption += f" · {current['coverage'][key]['text']}"
        if key in ALL_PIPELINES and not missing:
            caption += " · all pipelines"
        tiles.append(
            Tile(
                key,
                m.label,
                fmt(None) if missing else fmt(current[key]),
                None if missing else delta,
                m.higher_is_better,
                caption,
                m.definition + compared,
                missing,
            )
        )
    if previous:  # a change inside its 95% margin is grey, "within noise" (issue 19, point 3)
        changes = noise.kpi_changes(
            _with_spread(cur, filters, current, current_surveys),
            _with_spread(cur, previous_filters, previous, previous_surveys),
        )
        tiles = noise.judged(tiles, changes, beyond=True, untested_keys=UNTESTED)
    return Summary(tiles, _gaps(current, filters) + _no_data(current))


def _with_spread(
    cur: duckdb.DuckDBPyConnection, filters: Filters, kpis: dict, surveys: dict
) -> dict:
    """The KPIs with what their margins need: the survey counts (NPS, CSAT, read with the KPIs)
    and the median sales cycle's order-statistic interval."""
    interval = queries.run_one(cur, "sales_cycle_interval", {**filters.params(), "z": noise.Z_95})
    return {**surveys, **kpis, "cycle_interval": interval}


def trend_title(trend: pd.DataFrame, where: str) -> str:
    """The trend's title: the win rate alone when no amount is known (none was mapped)."""
    what = "Win rate" if trend["won_amount"].isna().all() else "Won amount and win rate"
    return f"{what} by month · {where}"


def _no_data(current: dict) -> list[str]:
    """The monthly trend draws won amount: say why its bars are empty (the tiles say theirs)."""
    why = current["no_data"].get("won_amount")
    return [f"The trend below shows the win rate only, no won amount: {why}."] if why else []


def _gaps(current: dict, filters: Filters) -> list[str]:
    undated = current["closed_deals_without_date"]
    if not filters.has_period or not undated:
        return []
    return [
        f"{formatting.count(undated)} closed deals have no close date and are left out of "
        "won amount, win rate and sales cycle for this period."
    ]
