"""What the data covers: its first and last day, and the values the filters can take."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from dashboard.core import queries
from dashboard.core.filters import Filters


def data_span(cur: duckdb.DuckDBPyConnection) -> tuple[date, date]:
    """First and last day with data, the last capped at today; today when nothing is dated."""
    return _span(queries.run_one(cur, "data_date_range", {}))


def _span(row: dict) -> tuple[date, date]:
    today = date.today()
    last = min(pd.Timestamp(row["last_date"]).date(), today) if row["last_date"] else today
    first = pd.Timestamp(row["first_date"]).date() if row["first_date"] else last
    return first, last


def span_words(cur: duckdb.DuckDBPyConnection, _filters: Filters | None = None) -> str:
    """The sidebar's line on the data's dates: the real first and last day, or that nothing
    loaded has a date (never today's date standing in for data, as after undoing every load).
    The dates are read once (this line runs before every page)."""
    row = queries.run_one(cur, "data_date_range", {})
    if not row["first_date"]:
        return "No dated data loaded: no deal, order or survey answer has a date."
    first, last = _span(row)
    return f"Data from {first:%-d %b %Y} to {last:%-d %b %Y}."


def filter_values(
    cur: duckdb.DuckDBPyConnection, filters: Filters | None = None
) -> dict[str, list[str]]:
    """dimension -> the values the sidebar offers (segment, region, owner), within the grant
    the filters carry (the choices themselves do not narrow what is offered)."""
    params = (filters or Filters()).scope_params()
    # Everything granted (the local user, viewers, analysts, admins): no grant to test.
    everything = all(value is None for value in params.values())
    name = "filter_options_all_granted" if everything else "filter_options"
    frame = queries.run(cur, name, params)
    return {dim: group["value"].tolist() for dim, group in frame.groupby("dimension")}
