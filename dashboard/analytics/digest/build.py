"""What a digest holds: the overview tiles with their change, what changed since the previous
digest, one headline chart per page, the top movers and links back to the live view."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from datetime import date, timedelta
from urllib.parse import urlencode

import duckdb

from dashboard.analytics.digest import since
from dashboard.analytics.digest.sections import PAGES, Section, section
from dashboard.core import coverage, formatting, needs, queries
from dashboard.core.filters import Filters
from dashboard.core.periods import describe, describe_period, preset_range
from dashboard.store.digests import Previous

BASE_URL_ENV = "CRM_DASHBOARD_BASE_URL"
DEFAULT_BASE_URL = "http://localhost:8501"
DEFAULT_PERIOD = "last-7-days"
MOVERS_SHOWN = 5


def _last_month(as_of: date) -> tuple[date, date]:
    """The latest whole calendar month ending on or before as_of."""
    end = as_of if (as_of + timedelta(days=1)).day == 1 else as_of.replace(day=1) - timedelta(1)
    return end.replace(day=1), end


# --period NAME -> (start, end) counted back from the last day with data, as the app's presets.
PERIODS = {
    "last-7-days": lambda d: (d - timedelta(days=6), d),
    "last-30-days": lambda d: (d - timedelta(days=29), d),
    "last-90-days": lambda d: preset_range("Last 90 days", d),
    "last-month": _last_month,
    "year-to-date": lambda d: preset_range("Year to date", d),
    "last-12-months": lambda d: preset_range("Last 12 months", d),
}


@dataclass(frozen=True)
class Mover:
    dimension: str
    value: str
    sentence: str


@dataclass(frozen=True)
class Digest:
    title: str
    filters: Filters  # within the grant: every number is computed on these
    chosen: Filters  # as asked for: the links carry these (the app narrows them again)
    base_url: str
    where: str  # the filters in words
    as_of: date
    link: str
    overview: Section
    sections: list[Section]  # the other pages
    changes: list[str]  # what changed since the previous digest, one sentence each
    movers: list[Mover]
    movers_note: str | None  # why there are no movers

    @property
    def all_sections(self) -> list[Section]:
        return [self.overview, *self.sections]


def period_filters(
    cur: duckdb.DuckDBPyConnection, chosen: Filters, period: str | None
) -> tuple[Filters, date]:
    """The chosen filters with the period's dates (unless --from/--to gave them)."""
    _, as_of = coverage.data_span(cur)
    if chosen.has_period:
        return chosen, as_of
    start, end = PERIODS[period or DEFAULT_PERIOD](as_of)
    return replace(chosen, start_date=start, end_date=end), as_of


def scope_key(filters: Filters) -> str:
    """Digests of the same grant and filters (and period length) are one series."""
    scope = filters.scope
    days = (filters.end_date - filters.start_date).days + 1 if filters.start_date else None
    parts = {
        "grant": [scope.segments, scope.regions, scope.teams],
        "chosen": [filters.segments, filters.regions, filters.owners, filters.teams],
        "days": days,
    }
    return json.dumps(parts, sort_keys=True, default=list)


def base_url(flag: str | None = None) -> str:
    return (flag or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")


def live_link(base: str, path: str, chosen: Filters) -> str:
    """The page in the app with the digest's filters as URL parameters (as the sidebar writes)."""
    return f"{base}/{path}?{urlencode(chosen.to_query_params(), doseq=True)}"


def build(
    cur: duckdb.DuckDBPyConnection,
    chosen: Filters,
    scoped: Filters,
    as_of: date,
    *,
    base: str,
    previous: Previous | None,
    pages: tuple[str, ...] = tuple(PAGES),
) -> Digest:
    """`chosen`: the filters asked for (they go in links); `scoped`: within the grant (every
    number is computed on these)."""
    built = [section(cur, scoped, page) for page in pages]
    for item in built:
        item.notes[:] = [n for n in item.notes if n]
    movers, note = top_movers(cur, scoped)
    return Digest(
        title=f"CRM digest · {describe_period(scoped)}",
        filters=scoped,
        chosen=chosen,
        base_url=base,
        where=describe(scoped),
        as_of=as_of,
        link=live_link(base, "", chosen),
        overview=built[0],
        sections=built[1:],
        changes=since.sentences(cur, previous, scoped),
        movers=movers,
        movers_note=note,
    )


def top_movers(cur: duckdb.DuckDBPyConnection, filters: Filters) -> tuple[list[Mover], str | None]:
    """The segments, regions and owners whose won amount moved most vs the period before."""
    before = filters.previous_period()
    if before is None:
        return [], "Pick a period to see what moved against the period before."
    params = {
        **filters.params(),
        "previous_start_date": before.start_date,
        "previous_end_date": before.end_date,
    }
    if why := needs.no_data_reasons(cur, needs.OVERVIEW, filters).get("won_amount"):
        return [], f"No movers by won amount: {why}."
    frame = queries.run(cur, "digest_movers", params)
    frame = frame[frame["won_amount_change"] != 0].head(MOVERS_SHOWN)
    if frame.empty:
        return [], "No segment, region or owner changed its won amount."
    return [_mover(row) for row in frame.to_dict("records")], None


def _mover(row: dict) -> Mover:
    change = row["won_amount_change"]
    sign = "+" if change > 0 else "−"
    sentence = (
        f"{row['dimension'].capitalize()} {row['value']}: won "
        f"{formatting.money(row['won_amount'])} ({formatting.count(row['deals_won'])} deals), "
        f"{sign}{formatting.money(abs(change))} vs {formatting.money(row['won_amount_before'])} "
        f"({formatting.count(row['deals_won_before'])} deals) the period before"
    )
    return Mover(row["dimension"], str(row["value"]), sentence)
