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
        (
            "%Y-%m-%dT%H:%M:%S.%g%z",
            "%Y-%m-%dT%H:%M:%S%z",
            "%Y-%m-%d %H:%M:%S%z",
            "%Y-%m-%dT%H:%M:%S.%f%z",  # microseconds (Close's API and exports)
        ),
    ),
    DateFamily(
        "month_first",
        "month first (05/27/2026)",
        (
            # Two-digit years first: %Y also reads "26", as the year 26 (%y fails on "2026").
            "%m/%d/%y",
            "%m/%d/%y %H:%M",
            "%m/%d/%Y",
            "%m/%d/%Y %H:%M",
            "%m/%d/%Y %H:%M:%S",
            "%m/%d/%Y %I:%M %p",
            "%m/%d/%Y %I:%M:%S %p",
            "%m-%d-%Y",
        ),
    ),
    DateFamily(
        "day_first",
        "day first (27/05/2026)",
        (
            "%d/%m/%y",  # two-digit years first, as above
            "%d/%m/%y %H:%M",
            "%d/%m/%Y",
            "%d/%m/%Y %H:%M",
            "%d/%m/%Y %H:%M:%S",
            "%d.%m.%Y",
            "%d.%m.%Y %H:%M",
            "%d.%m.%Y %H:%M:%S",
            "%d-%m-%Y",
        ),
    ),
    DateFamily(
        "day_month_name",
        "day and month name (31-Jul-18)",
        ("%d-%b-%y", "%d-%b-%Y", "%d %b %y", "%d %b %Y", "%d %B %Y", "%d-%B-%Y"),
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


def trimmed_sql(column: str) -> str:
    """trim(column), without copying the cell when trim has nothing to remove (most cells).

    trim() removes ' ' and the non-ASCII spaces, so an all-ASCII cell (as many bytes as
    characters) that neither starts nor ends with ' ' is already trimmed."""
    return (
        f"(case when strlen({column}) = length({column}) and not ({column} >= ' ' and "
        f"{column} < '!') and not suffix({column}, ' ') then {column} else trim({column}) end)"
    )


def _first_byte_in(column: str, chars: set[str]) -> str:
    """SQL: the cell starts with one of these ASCII characters (byte-wise comparisons only)."""
    return " or ".join(
        f"({column} >= '{ch}' and {column} < '{chr(ord(ch) + 1)}')" for ch in sorted(chars)
    )


# A cell can only be a missing word when it is empty or starts with a space, a word's first
# letter (either case) or a non-ASCII character (trim() removes ' ' and the non-ASCII spaces).
_MISSING_STARTS = {" "} | {c for w in MISSING_WORDS if w for c in (w[0], w[0].upper())}
assert all(c.isascii() and c not in "'\\" and ord(c) < 127 for c in _MISSING_STARTS)


def missing_sql(column: str) -> str:
    """True when a cell of an id, number or date column holds no value.

    The answer of `c is null or lower(trim(c)) in MISSING_WORDS`, several times cheaper on
    millions of cells: most cells start with a character no missing word starts with, which
    a byte-wise comparison tells without trimming or lower-casing the cell. list_position, not
    IN: DuckDB plans an IN list as a join over every row, which the CASE could not skip."""
    words = ", ".join(f"'{w}'" for w in MISSING_WORDS)
    maybe = f"{column} = '' or {column} >= chr(128) or {_first_byte_in(column, _MISSING_STARTS)}"
    return (
        f"(case when {column} is null then true when {maybe} then"
        f" list_position([{words}], lower(trim({column}))) is not null else false end)"
    )


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


def _reading(fmt: str) -> str:
    """Formats with the same reading may both parse a cell and disagree (%Y takes "26" as year
    26, %y as 2026); formats with different readings never parse the same cell (their
    separators, fields or AM/PM differ: tests/ingest/test_formats.py checks every family)."""
    return fmt.replace("%y", "%Y").replace("%B", "%b")


def fastest_first(
    con: duckdb.DuckDBPyConnection, table: str, column: str, family: str
) -> list[str]:
    """The family's formats, those that read most sampled cells first, with the same results.

    try_strptime tries a list in order and a failed try costs about ten times a success, so
    a column of '2024-03-02 10:00:00' read as [date, date time, ...] pays a failure per cell.
    A cell's value comes from the first format that reads it; moving a format ahead of others
    it can never share a cell with (a different `_reading`) changes no value."""
    order = list(FAMILIES[family].formats)
    counts = ", ".join(
        f"count(*) filter (where try_strptime(v, $f{i}) is not null)" for i in range(len(order))
    )
    hits = con.execute(
        f"with s as (select trim({column}) as v from {table} where not {missing_sql(column)} "
        f"limit {SAMPLE_ROWS}) select {counts} from s",
        {f"f{i}": f for i, f in enumerate(order)},
    ).fetchall()[0]
    score = dict(zip(order, hits, strict=True))
    out: list[str] = []
    while order:
        ready = [
            f for i, f in enumerate(order) if all(_reading(g) != _reading(f) for g in order[:i])
        ]
        best = max(ready, key=lambda f: score[f])  # ties keep the family's order
        out.append(best)
        order.remove(best)
    return out


def date_sql(column: str, family_param: str, missing: str | None = None) -> str:
    """Parsed timestamp (UTC) of a cell, NULL when empty or unreadable."""
    return (
        f"case when {missing or missing_sql(column)} then null else "
        f"cast(try_strptime({trimmed_sql(column)}, ${family_param}) as timestamp) end"
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
    if any("," in c for c in cells):
        return NumberGuess(".", "commas read as thousands separators")
    return NumberGuess(".", "")  # no comma anywhere: nothing to say


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
        fast = f"try_cast({trimmed_sql(column)} as double)"
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


# Yes/no in the languages exports come in (Bitrix24's Russian UI writes Да/Нет).
TRUE_WORDS = ("true", "yes", "y", "1", "x", "t", "oui", "vrai", "wahr", "ja", "sí", "si", "sim")
TRUE_WORDS += ("verdadero", "verdadeiro", "да")
FALSE_WORDS = ("false", "no", "n", "0", "f", "non", "faux", "nein", "falso", "não", "nao", "нет")


def bool_sql(column: str) -> str:
    # list_position, not IN: DuckDB plans an IN list as a join over every row.
    yes = ", ".join(f"'{w}'" for w in TRUE_WORDS)
    no = ", ".join(f"'{w}'" for w in FALSE_WORDS)
    return (
        f"case when list_position([{yes}], lower(trim({column}))) is not null then true "
        f"when list_position([{no}], lower(trim({column}))) is not null then false end"
    )
