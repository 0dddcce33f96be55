"""The shared filters: a frozen value, its bound SQL parameters, and its URL form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

# URL query-string keys. Lists repeat the key: ?segment=SMB&segment=Enterprise
URL_KEYS = ("period", "from", "to", "segment", "region", "owner")
ALL_TIME = "all"
MAX_URL_VALUES = 200
MAX_VALUE_LENGTH = 200


@dataclass(frozen=True)
class Filters:
    """What every page is filtered by. Empty tuples mean "all"; no dates mean all time."""

    start_date: date | None = None
    end_date: date | None = None
    segments: tuple[str, ...] = field(default=())
    regions: tuple[str, ...] = field(default=())
    owners: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.start_date and self.end_date and self.start_date > self.end_date:
            raise ValueError("start_date is after end_date")

    @property
    def has_period(self) -> bool:
        return self.start_date is not None or self.end_date is not None

    def params(self) -> dict[str, object]:
        """Bound parameters shared by every query file: dates and lists, None meaning all."""
        return {
            "start_date": self.start_date,
            "end_date": self.end_date,
            "segments": list(self.segments) or None,
            "regions": list(self.regions) or None,
            "owners": list(self.owners) or None,
        }

    def previous_period(self) -> Filters | None:
        """The period of equal length just before this one, same other filters."""
        if self.start_date is None or self.end_date is None:
            return None
        length = self.end_date - self.start_date + timedelta(days=1)
        return replace(
            self, start_date=self.start_date - length, end_date=self.start_date - timedelta(days=1)
        )

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
        )


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
