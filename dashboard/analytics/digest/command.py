"""`crm-dashboard digest`: build, write and record a digest, or skip it with --if-changed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from dashboard.analytics.digest import build, render
from dashboard.core.filters import Filters, Scope
from dashboard.store import digests, warehouse


@dataclass(frozen=True)
class Outcome:
    written: list[Path]
    message: str  # one sentence for the person who ran it


def make(
    con: duckdb.DuckDBPyConnection,
    chosen: Filters,
    grant: Scope,
    *,
    period: str | None,
    fmt: str,
    out: Path,
    base_url: str | None = None,
    if_changed: bool = False,
    user: str | None = None,
) -> Outcome:
    """Write the digest of `chosen` within `grant` to `out`. With if_changed, write nothing
    when no load or undo happened since the previous digest of the same grant and filters."""
    dated, as_of = build.period_filters(con, chosen, period)
    scoped = dated.within(grant)
    key = build.scope_key(scoped)
    previous = digests.previous(con, key)
    if if_changed and previous and previous.data_version == warehouse.data_version(con):
        return Outcome(
            [],
            f"No load since the previous digest of this scope "
            f"({previous.created_at:%-d %b %Y %H:%M}): nothing written.",
        )
    digest = build.build(
        con, dated, scoped, as_of, base=build.base_url(base_url), previous=previous
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    written = render.write(digest, fmt, out)
    digests.record(con, key, (scoped.start_date, scoped.end_date), fmt, user)
    return Outcome(written, f"Wrote the digest ({digest.where}) to {out}.")
