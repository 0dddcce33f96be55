"""What changed since the previous digest of the same scope, in sentences: the changes
analytics (dashboard/analytics/changes) from the first load after that digest, in its words."""

from __future__ import annotations

import duckdb

from dashboard.analytics.changes import data as changes
from dashboard.analytics.changes import words
from dashboard.core.filters import Filters
from dashboard.store import warehouse
from dashboard.store.digests import Previous

LINES_SHOWN = 12  # at most, so page 1 of the PDF keeps its chart (the rest is in the app)


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
    return [f"{words.headline(result)}, after the previous digest ({when}).", *describe(result)]


def describe(result: dict) -> list[str]:
    """The changes panel's lines (KPI moves first, then deals), as plain sentences."""
    lines = [
        f"{line.text}, {title}."
        for which, title in (("all_time", "all time"), ("period", words.period_words(result)))
        for line in words.kpi_lines(result, which)
    ]
    lines += [f"{line.text}." for line in words.deal_lines(result)]
    lines += list(result.get("notes") or [])
    if len(lines) > LINES_SHOWN:
        more = len(lines) - LINES_SHOWN + 1
        lines = [*lines[: LINES_SHOWN - 1], f"…and {more} more changes: see the app."]
    return lines
