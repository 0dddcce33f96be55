"""The shared filters: a frozen value, its bound SQL parameters, and its URL form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

# URL query-string keys. Lists repeat the key: ?segment=SMB&segment=Enterprise
URL_KEYS = ("period", "from", "to", "segment", "region", "owner", "team")
ALL_TIME = "all"
SCOPE_KEYS = ("segments", "regions", "owners", "teams")
MAX_URL_VALUES = 200
MAX_VALUE_LENGTH = 200


@dataclass(frozen=True)
class Scope:
    """A row-level grant (dashboard/core/access.py decides whose): None = that dimension is not
    restricted; a tuple = only those values; an empty tuple = nothing at all (default deny)."""

    segments: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None
    teams: tuple[str, ...] | None = None  # owners whose team (the owners table) is one of these

    @property
    def is_everything(self) -> bool:
        return self.segments is None and self.regions is None and self.teams is None

    @property
    def is_nothing(self) -> bool:
        return self.segments == () or self.regions == () or self.teams == ()

    def __and__(self, other: Scope) -> Scope:
        """What both grants allow."""
        return Scope(
            _intersect(self.segments, other.segments),
            _intersect(self.regions, other.regions),
            _intersect(self.teams, other.teams),
        )


EVERYTHING = Scope()
NOTHING = Scope(segments=(), regions=(), teams=())


@dataclass(frozen=True)
class Filters:
    """What every page is filtered by. Empty tuples mean "all"; no dates mean all time.
    `scope` is the viewer's row-level grant: params() never binds anything wider, whatever
    the other fields say (so replace(filters, segments=()) cannot widen a manager's view)."""

    start_date: date | None = None
    end_date: date | None = None
    segments: tuple[str, ...] = field(default=())
    regions: tuple[str, ...] = field(default=())
    owners: tuple[str, ...] = field(default=())
    scope: Scope = field(default=EVERYTHING)
    # Teams of the owners table: deals and activities whose owner is in one, accounts whose
    # owner is (product.md, `owners`). Last, so positional Filters(...) calls keep working.
    teams: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.start_date and self.end_date and self.start_date > self.end_date:
            raise ValueError("start_date is after end_date")

    @property
    def has_period(self) -> bool:
        return self.start_date is not None or self.end_date is not None

    def params(self) -> dict[str, object]:
        """Bound parameters shared by every query file: dates and lists, None meaning all and
        an empty list nothing (the scope allows none of the values chosen, or none at all)."""
        segments = _narrow(self.segments, self.scope.segments)
        regions = _narrow(self.regions, self.scope.regions)
        teams = _narrow(self.teams, self.scope.teams)
        owners = list(self.owners) or None
        if self.scope.is_nothing or segments == [] or regions == [] or teams == []:
            segments, regions, owners, teams = [], [], [], []
        return {
            "start_date": self.start_date,
            "end_date": self.end_date,
            "segments": segments,
            "regions": regions,
            "owners": owners,
            "teams": teams,
        }

    def scope_params(self) -> dict[str, object]:
        """$segments, $regions, $owners, $teams for the grant alone, ignoring the choices: for lists
        that must not follow the sidebar (the options it offers, competitor colours)."""
        params = Filters(scope=self.scope).params()
        return {key: params[key] for key in SCOPE_KEYS}

    def within(self, scope: Scope) -> Filters:
        """These filters narrowed to a grant: the choices intersected with it (nothing chosen =
        everything granted); when nothing is left, a scope that binds empty lists."""
        both = self.scope & scope
        segments = _narrow(self.segments, both.segments)
        regions = _narrow(self.regions, both.regions)
        teams = _narrow(self.teams, both.teams)
        if both.is_nothing or segments == [] or regions == [] or teams == []:
            return replace(self, segments=(), regions=(), owners=(), teams=(), scope=NOTHING)
        return replace(
            self,
            segments=tuple(segments or ()),
            regions=tuple(regions or ()),
            teams=tuple(teams or ()),
            scope=both,
        )

    def previous_period(self) -> Filters | None:
        """The period of equal length just before this one, same other filters."""
        if self.start_date is None or self.end_date is None:
            return None
        length = self.end_date - self.start_date + timedelta(days=1)
        try:
            start = self.start_date - length
        except OverflowError:  # a period starting near year 1 has no period before it
            return None
        return replace(self, start_date=start, end_date=self.start_date - timedelta(days=1))

    def to_query_params(self) -> dict[str, str | list[str]]:
        """The URL form. All time is explicit (`period=all`) so a link never means "default"."""
        out: dict[str, str | list[str]] = {}
        if not self.has_period:
            out["period"] = ALL_TIME
        if self.start_date:
            out["from"] = self.start_date.isoformat()
        if self.end_date:
            out["to"] = self.end_date.isoformat()
        for key, values in (
            ("segment", self.segments),
            ("region", self.regions),
            ("owner", self.owners),
            ("team", self.teams),
        ):
            if values:
                out[key] = list(values)
        return out

    @classmethod
    def from_query_params(
        cls, query: Mapping[str, Sequence[str]], default: Filters | None = None
    ) -> Filters:
        """Read a URL. Bad dates are ignored, reversed dates swapped; with no period in the URL
        the default's period applies. Never raises on what a user can type in the address bar."""
        base = default or cls()
        period = _first(query.get("period"))
        start, end = _parse_date(_first(query.get("from"))), _parse_date(_first(query.get("to")))
        if period == ALL_TIME:
            start = end = None
        elif start is None and end is None:
            start, end = base.start_date, base.end_date
        if start and end and start > end:
            start, end = end, start
        return cls(
            start,
            end,
            _clean(query.get("segment")),
            _clean(query.get("region")),
            _clean(query.get("owner")),
            teams=_clean(query.get("team")),
        )

    def restricted_to(self, options: Mapping[str, Sequence[str]]) -> Filters:
        """Drop values that are not offered (typos or stale links), keeping the rest."""

        def keep(values: tuple[str, ...], dimension: str) -> tuple[str, ...]:
            allowed = set(options.get(dimension, ()))
            return tuple(v for v in values if v in allowed)

        return replace(
            self,
            segments=keep(self.segments, "segment"),
            regions=keep(self.regions, "region"),
            owners=keep(self.owners, "owner"),
            teams=keep(self.teams, "team"),
        )


def _intersect(a: tuple[str, ...] | None, b: tuple[str, ...] | None) -> tuple[str, ...] | None:
    if a is None or b is None:
        return b if a is None else a
    return tuple(v for v in a if v in b)


def _narrow(chosen: tuple[str, ...], granted: tuple[str, ...] | None) -> list[str] | None:
    """The bound list for one dimension: None = all, [] = nothing."""
    if granted is None:
        return list(chosen) or None
    if not chosen:
        return list(granted)
    return [v for v in chosen if v in granted]


def _first(values: Sequence[str] | str | None) -> str | None:
    if values is None or isinstance(values, str):
        return values
    return values[0] if values else None


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text else None
    except ValueError:
        return None


def _clean(values: Sequence[str] | str | None) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    seen: dict[str, None] = {}
    for value in list(values)[:MAX_URL_VALUES]:
        if value and len(value) <= MAX_VALUE_LENGTH and "\x00" not in value:
            seen.setdefault(value, None)
    return tuple(seen)
