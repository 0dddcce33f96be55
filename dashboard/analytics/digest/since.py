"""What changed since the previous digest of the same scope, in sentences: the changes
analytics (dashboard/analytics/changes) from the first load after that digest, in its words."""

from __future__ import annotations

import duckdb

from dashboard.analytics.changes import data as changes
from dashboard.analytics.changes import words
from dashboard.core.filters import Filters
from dashboard.store import warehouse
from dashboard.store.digests import Previous

LINES_SHOWN = 14  # deal lines (counts, stage moves, statuses, competitors, movers) at most


def sentences(
    cur: duckdb.DuckDBPyConnection, previous: Previous | None, filters: Filters
) -> list[str]:
    if previous is None:
        return ["This is the first digest for these filters: the next one says what changed."]
    when = f"{previous.created_at:%-d %b %Y %H:%M}"
    if warehouse.data_version(cur) == previous.data_version:
        return [f"No load or undo since the previous digest ({when})."]
    first = warehouse.scalar(
        cur,
        "select min(load_id) from loads where load_id > $last",
        {"last": previous.last_load_id or 0},
    )
    try:  # first is None when only undos happened since: the latest undo's changes
        result = changes.changes_since(cur, first, filters=filters)
    except changes.ChangesError as error:
        return [f"Since the previous digest ({when}): {error}"]
    return [f"Since the previous digest ({when}):", *describe(result)]


def describe(result: dict) -> list[str]:
    """The changes panel's lines, as plain sentences."""
    out = [f"{words.headline(result)}."]
    for which, title in (("all_time", "all time"), ("period", words.period_words(result))):
        out += [f"{line.text} ({title})." for line in words.kpi_lines(result, which)]
    deal_lines = [line.text for line in words.deal_lines(result)]
    out += [f"{text}." for text in deal_lines[:LINES_SHOWN]]
    if len(deal_lines) > LINES_SHOWN:
        out.append(f"…and {len(deal_lines) - LINES_SHOWN} more changes in the app.")
    return out + list(result.get("notes") or [])
