"""Run `queries/<name>.sql` by name with bound `$name` parameters, and nothing else."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

import duckdb
import pandas as pd

from dashboard.core import resources, served

QUERIES_DIR = resources.folder("dashboard.queries")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT_OR_STRING = re.compile(r"'(?:[^']|'')*'|--[^\n]*")
_CODE_OR_PARAM = re.compile(r"'(?:[^']|'')*'|--[^\n]*|\$([A-Za-z_][A-Za-z0-9_]*)")
# `{{ query('name') }}`: another query file's SELECT, as a subquery (one definition of its rows),
# without its closing `order by` (a subquery's rows have no order; sorting them costs).
INCLUDE = re.compile(r"\{\{\s*query\('([a-z][a-z0-9_]*)'\)\s*\}\}")
_CLOSING_ORDER = re.compile(r"\s+order\s+by\s+[\w\s,.]+$", re.IGNORECASE)


class QueryError(ValueError):
    """A query asked for by a wrong name or with the wrong parameters."""


def available() -> list[str]:
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))


@cache
def _load(name: str) -> tuple[str, frozenset[str]]:
    # Only names of files that exist reach the file system (no path, no 10,000-char name).
    if not _NAME.fullmatch(name) or name not in available():
        raise QueryError(f"There is no query named {name!r}; known: {', '.join(available())}.")
    sql = (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
    sql = INCLUDE.sub(lambda m: subquery_text(m.group(1)), sql)
    return sql, parameters_of(sql)


def subquery_text(name: str) -> str:
    """A query's SELECT (its includes expanded) without its closing `order by`."""
    return _CLOSING_ORDER.sub("", _load(name)[0].rstrip())


def bind_as_sql(sql: str, binds: Mapping[str, str]) -> str:
    """`sql` with each `$name` outside comments and strings replaced by `(binds[name])`, or
    `(null)`: for summaries only, whose binds are SQL from this repository, never user values."""

    def swap(match: re.Match) -> str:
        found = match.group(0)
        if found.startswith(("'", "--")):
            return found
        return f"({binds.get(match.group(1), 'null')})"

    return _CODE_OR_PARAM.sub(swap, sql)


def parameters_of(sql: str) -> frozenset[str]:
    """The `$name` parameters a SQL text uses, outside comments and string literals.

    One pass, leftmost match first, so an apostrophe in a comment or `--` inside a string
    cannot hide what follows."""
    code = _COMMENT_OR_STRING.sub(" ", sql)
    return frozenset(_PARAM.findall(code))


def parameters(name: str) -> frozenset[str]:
    return _load(name)[1]


def sql_text(name: str) -> str:
    return _load(name)[0]


def check_parameters(name: str, params: Mapping[str, object]) -> None:
    expected = parameters(name)
    missing, extra = expected - set(params), set(params) - expected
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(sorted(missing))}")
        if extra:
            parts.append(f"unexpected {', '.join(sorted(extra))}")
        raise QueryError(
            f"Query {name!r}: {'; '.join(parts)} (it takes: "
            f"{', '.join(sorted(expected)) or 'no parameters'})."
        )


def run(cur: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, object]) -> pd.DataFrame:
    """Run a named query with exactly its parameters bound; returns a small DataFrame."""
    check_parameters(name, params)
    stored = served.rows(cur, name, params)  # a page's default view, worked out per load
    if stored is not None:
        return stored
    sql, _ = _load(name)
    return cur.execute(sql, dict(params)).df()


def run_one(cur: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, object]) -> dict:
    """A one-row query as a dict, pandas missing values as None."""
    frame = run(cur, name, params)
    if len(frame) != 1:
        raise QueryError(f"Query {name!r} returned {len(frame)} rows, expected one.")
    row = frame.to_dict("records")[0]  # per-column Python types: counts stay int
    return {k: (None if pd.isna(v) else v) for k, v in row.items()}
