"""The importer's fast cell rules give exactly the answers of the plain definitions they replace.

formats.py reads cells with cheaper SQL than the obvious expressions (byte-wise guards, a date
format order taken from a sample); each test here runs both on hand-made cells that aim at
the edges (spaces of every kind, case, non-ASCII, two-digit years) and wants identical rows.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import duckdb
import pytest

from dashboard.ingest import formats

SPACES = (" ", "\u00a0", "\u2003", "\u3000", "\t", "\n", "\r")
WORDS = (*formats.MISSING_WORDS, *formats.TRUE_WORDS, *formats.FALSE_WORDS)
OTHER = ("ACC-001", "12.5", "€ 12", "2024-03-02", "Nadia", "nope", "#1", "-5", "--x", "é", "K")


def cells() -> list[str | None]:
    """Every word in several cases, bare and wrapped in each kind of space, plus near misses."""
    out: list[str | None] = [None, "", " ", "  ", "\u00a0", "\t"]
    for word in (*WORDS, *OTHER):
        for text in {word, word.upper(), word.title()}:
            out.append(text)
            for space in SPACES:
                out += [space + text, text + space, space + text + space]
    return out


@pytest.fixture
def mem():
    con = duckdb.connect()
    yield con
    con.close()


def _column(mem, values: list[str | None]) -> None:
    mem.execute("create or replace table t (c varchar)")
    mem.executemany("insert into t values (?)", [[v] for v in values])


def _same(mem, fast: str, plain: str, params: dict | None = None) -> None:
    # Both expressions are this module's own SQL; the cells travel in the table.
    rows = mem.execute(
        f"select c, {fast} as fast, {plain} as plain from t where fast is distinct from plain",  # noqa: S608
        params or {},
    ).fetchall()
    assert rows == []
    checked = mem.execute(
        f"select count(distinct {plain}), count(distinct {fast}) from t",  # noqa: S608
        params or {},
    ).fetchall()
    assert checked[0][0] >= 2  # the reference itself tells cells apart: the test can fail


def test_missing_cells_as_the_plain_definition(mem):
    _column(mem, cells())
    words = ", ".join(f"'{w}'" for w in formats.MISSING_WORDS)
    _same(mem, formats.missing_sql("c"), f"(c is null or lower(trim(c)) in ({words}))")


def test_trimmed_cells_as_trim(mem):
    _column(mem, cells())
    _same(mem, formats.trimmed_sql("c"), "trim(c)")


def test_yes_no_cells_as_the_word_lists(mem):
    _column(mem, cells())
    plain = (
        f"case when lower(trim(c)) in {formats.TRUE_WORDS!r} then true "
        f"when lower(trim(c)) in {formats.FALSE_WORDS!r} then false end"
    )
    _same(mem, formats.bool_sql("c"), plain)


def _instants() -> list[datetime]:
    start = datetime(1999, 1, 1, 0, 0, 0)
    steps = (timedelta(days=37, hours=5, minutes=7, seconds=13, microseconds=250_000),)
    out = [start + k * steps[0] for k in range(0, 400)]
    return out + [datetime(2026, 12, 31, 23, 59, 59), datetime(2001, 2, 3, 4, 5, 6)]


def _written(fmt: str, when: datetime) -> str:
    text = when.strftime(fmt.replace("%g", "%f").replace("%z", "+0000"))
    if "%g" in fmt:  # milliseconds: three digits
        head, _, tail = text.partition(".")
        text = f"{head}.{tail[:3]}{tail[6:]}"
    return text


@pytest.mark.parametrize("family", list(formats.FAMILIES))
def test_formats_of_different_readings_never_share_a_cell(mem, family):
    """What lets fastest_first reorder a family: a cell written in one format is either not
    read by a format of another reading, or read as the same instant."""
    fmts = formats.FAMILIES[family].formats
    written = {f: sorted({_written(f, w) for w in _instants()}) for f in fmts}
    for f, g in itertools.permutations(fmts, 2):
        if formats._reading(f) == formats._reading(g):
            continue
        rows = mem.execute(
            "select c from unnest($cells) as u(c) "
            "where try_strptime(c, $g) is not null "
            "and try_strptime(c, $g) is distinct from try_strptime(c, $f)",
            {"cells": written[f], "f": f, "g": g},
        ).fetchall()
        assert rows == [], (family, f, g, rows[:3])


@pytest.mark.parametrize("family", list(formats.FAMILIES))
def test_fastest_first_reads_every_cell_as_the_family_order(mem, family):
    fmts = formats.FAMILIES[family].formats
    # Mostly the family's last format, so that it moves ahead; every other format and
    # two-digit years, blanks and junk too.
    values = [_written(fmts[-1], w) for w in _instants()]
    for f in fmts:
        values += [_written(f, w) for w in _instants()[::7]]
    values += [v.replace("20", "", 1) for v in values[::5]]  # 2024 -> 24 where it fits
    values += [None, "", "n/a", "  2024-03-02 ", "31/12/99", "12/31/99", "junk"]
    _column(mem, values)
    order = formats.fastest_first(mem, "t", "c", family)
    assert sorted(order) == sorted(fmts)
    if len(fmts) > 1:
        assert order != list(fmts) or family == "compact"  # the sample did move a format
    _same(
        mem,
        formats.date_sql("c", "fast"),
        f"case when {formats.missing_sql('c')} then null else "
        "cast(try_strptime(trim(c), $plain) as timestamp) end",
        {"fast": order, "plain": list(fmts)},
    )
