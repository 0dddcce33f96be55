"""Per-column reading rules: which date format, which decimal mark, what counts as empty.

Detection runs DuckDB's own parser (try_strptime) over a sample of the column, so what is
detected is exactly what will be parsed. SQL built here only ever names internal columns
(c0, c1, ...); formats and words travel as bound parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

SAMPLE_ROWS = 5000
# Cells that mean "no value" in number, date and id columns. Text keeps them ("None" can be a
# real category).
MISSING_WORDS = ("", "na", "n/a", "#n/a", "null", "none", "nan", "-", "--")


@dataclass(frozen=True)
class DateFamily:
    key: str
    label: str
    formats: tuple[str, ...]


DATE_FAMILIES = (
    DateFamily(
        "iso",
        "ISO (2024-03-02, with or without time)",
        (
            "%Y-%m-%d",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M:%S.%f",
            "%Y-%m-%dT%H:%M:%S.%f",
        ),
    ),
    DateFamily(
        "iso_tz",
        "timestamp with offset (2022-07-27T17:40:52.000+0000)",
        ("%Y-%m-%dT%H:%M:%S.%g%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z"),
    ),
    DateFamily(
        "month_first",
        "month first (05/27/2026)",
        (
            "%m/%d/%Y",
            "%m/%d/%Y %H:%M",
            "%m/%d/%Y %H:%M:%S",
            "%m/%d/%Y %I:%M %p",
            "%m/%d/%Y %I:%M:%S %p",
            "%m/%d/%y",
            "%m/%d/%y %H:%M",
            "%m-%d-%Y",
        ),
    ),
    DateFamily(
        "day_first",
        "day first (27/05/2026)",
        (
            "%d/%m/%Y",
            "%d/%m/%Y %H:%M",
            "%d/%m/%Y %H:%M:%S",
            "%d/%m/%y",
            "%d/%m/%y %H:%M",
            "%d.%m.%Y",
            "%d.%m.%Y %H:%M",
            "%d.%m.%Y %H:%M:%S",
            "%d-%m-%Y",
        ),
    ),
    DateFamily(
        "day_month_name",
        "day and month name (31-Jul-18)",
        ("%d-%b-%y", "%d-%b-%Y", "%d %b %Y", "%d %B %Y", "%d-%B-%Y", "%d %b %y"),
    ),
    DateFamily(
        "month_name_first",
        "month name first (Jul 31, 2018)",
        ("%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y"),
    ),
    DateFamily("compact", "YYYYMMDD (20240302)", ("%Y%m%d",)),
    DateFamily(
        "slashed_iso",
        "year first with slashes (2024/03/02)",
        ("%Y/%m/%d", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S"),
    ),
)
FAMILIES = {f.key: f for f in DATE_FAMILIES}
AMBIGUOUS_PAIR = ("month_first", "day_first")


@dataclass(frozen=True)
class DateGuess:
    family: str | None  # a key of FAMILIES, None when nothing parses
    parsed: int  # sample cells that parse with it
    sampled: int  # non-empty cells sampled
    ambiguous: bool  # month-first and day-first both read every sampled cell

    def describe(self) -> str:
        if self.family is None:
            return "no date format fits"
        text = FAMILIES[self.family].label
        if self.ambiguous:
            other = "day first" if self.family == "month_first" else "month first"
            text += f"; AMBIGUOUS: every date also reads {other} (days are all 12 or less)"
        return text


def missing_sql(column: str) -> str:
    """True when a cell of an id, number or date column holds no value."""
    words = ", ".join(f"'{w}'" for w in MISSING_WORDS)
    return f"({column} is null or lower(trim({column})) in ({words}))"


def guess_date(
    con: duckdb.DuckDBPyConnection, table: str, column: str, month_first: bool
) -> DateGuess:
    """The date family that reads the most sampled cells; ties between month- and day-first
    are resolved by `month_first` and reported as ambiguous."""
    counts = ", ".join(
        f"count(*) filter (where try_strptime(v, ${f.key}) is not null) as {f.key}"
        for f in DATE_FAMILIES
    )
    params = {f.key: list(f.formats) for f in DATE_FAMILIES}
    row = (
        con.execute(
            f"with s as (select trim({column}) as v from {table} where not {missing_sql(column)} "
            f"limit {SAMPLE_ROWS}) select count(*) as sampled, {counts} from s",
            params,
        )
        .df()
        .iloc[0]
    )
    sampled = int(row["sampled"])
    scores = {f.key: int(row[f.key]) for f in DATE_FAMILIES}
    best = max(scores.values(), default=0)
    if sampled == 0 or best == 0:
        return DateGuess(None, 0, sampled, False)
    tied = [k for k, v in scores.items() if v == best]
    ambiguous = set(AMBIGUOUS_PAIR) <= set(tied)
    preferred = "month_first" if month_first else "day_first"
    family = preferred if ambiguous else tied[0]
    return DateGuess(family, best, sampled, ambiguous)


def date_sql(column: str, family_param: str, missing: str | None = None) -> str:
    """Parsed timestamp (UTC) of a cell, NULL when empty or unreadable."""
    return (
        f"case when {missing or missing_sql(column)} then null else "
        f"cast(try_strptime(trim({column}), ${family_param}) as timestamp) end"
    )


@dataclass(frozen=True)
class NumberGuess:
    decimal: str  # "." or ","
    evidence: str


_COMMA_DECIMAL = re.compile(r"\d,\d{1,2}$|\d,\d{4,}$")
_POINT_DECIMAL = re.compile(r"\d\.\d{1,2}$|\d\.\d{4,}$")
_COMMA_GROUPS = re.compile(r"^\D*\d{1,3}(,\d{3})+(\.\d+)?\D*$")


def guess_number(values: list[str], delimiter: str | None) -> NumberGuess:
    """Which mark is the decimal one, from a sample of cells of one column."""
    cells = [re.sub(r"[^\d,.]", "", v) for v in values if v and re.search(r"\d", v)]
    for cell in cells:
        if "," in cell and "." in cell:
            mark = cell[max(cell.rfind(","), cell.rfind("."))]
            return NumberGuess(mark, f"'{cell}' uses both marks; the last one is the decimal")
    for cell in cells:
        for mark, other in ((",", "."), (".", ",")):
            if cell.count(mark) > 1:  # a decimal mark never repeats
                return NumberGuess(other, f"'{cell}' repeats '{mark}': it groups thousands")
    if any(_COMMA_DECIMAL.search(c) for c in cells):
        return NumberGuess(",", "values like '12,5' have a decimal comma")
    if any(_POINT_DECIMAL.search(c) for c in cells):
        return NumberGuess(".", "values like '12.5' have a decimal point")
    if delimiter == ";" and any("," in c for c in cells):
        return NumberGuess(",", "';'-separated file: commas read as decimal marks")
    return NumberGuess(".", "commas read as thousands separators")


def sample_values(con: duckdb.DuckDBPyConnection, table: str, column: str) -> list[str]:
    rows = con.execute(
        f"select trim({column}) from {table} where not {missing_sql(column)} limit {SAMPLE_ROWS}"
    ).fetchall()
    return [r[0] for r in rows]


def number_sql(
    column: str, decimal: str, type_name: str = "double", missing: str | None = None
) -> str:
    """A cell as a number: currency symbols or codes, spaces and thousands marks dropped,
    (1.00) negative; anything else in the cell ("12abc") makes it unreadable (NULL).

    Plain numbers take a fast cast; only cells it cannot read go through the regular
    expressions (they cost about ten times more)."""
    if decimal == ".":
        fast = f"try_cast(trim({column}) as double)"
    else:
        fast = (
            f"case when not contains({column}, '.') then "
            f"try_cast(replace(trim({column}), ',', '.') as double) end"
        )
    thousands = "," if decimal == "." else "."
    bare = (
        f"regexp_replace(regexp_replace(trim({column}), '^[A-Za-z]{{3}}\\s+|\\s+[A-Za-z]{{3}}$',"
        f" ''), '[$€£¥₹\\s\u00a0\u202f]', '', 'g')"
    )
    shaped = f"regexp_full_match({bare}, '\\(?[-+]?[0-9.,]*[0-9][0-9.,]*\\)?%?')"
    digits = f"regexp_replace({bare}, '[^0-9,.\\-]', '', 'g')"
    normal = f"replace(replace({digits}, '{thousands}', ''), '{decimal}', '.')"
    sign = f"(case when {bare} like '(%)' then -1 else 1 end)"
    slow = f"case when {shaped} then {sign} * try_cast({normal} as double) end"
    value = f"coalesce({fast}, {slow})"
    return (
        f"case when {missing or missing_sql(column)} then null else "
        f"try_cast(case when isfinite({value}) then {value} end as {type_name}) end"
    )


TRUE_WORDS = ("true", "yes", "y", "1", "x", "t", "oui", "vrai", "wahr", "ja")
FALSE_WORDS = ("false", "no", "n", "0", "f", "non", "faux", "nein")


def bool_sql(column: str) -> str:
    return (
        f"case when lower(trim({column})) in {TRUE_WORDS!r} then true "
        f"when lower(trim({column})) in {FALSE_WORDS!r} then false end"
    )
