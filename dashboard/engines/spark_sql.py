"""DuckDB SQL (queries/*.sql, queries/summaries/*.sql) translated to Spark SQL with sqlglot.

The query files stay DuckDB SQL: they are the one source of truth. Translation has three steps:
1. the SQL macros (in_period, deals_in_scope, ...) are expanded in place, parsed from
   queries/macros, the files DuckDB creates them from, so they keep a single definition;
2. a few DuckDB constructs sqlglot does not map are rewritten (below, one function each);
3. sqlglot writes Spark SQL. `$name` parameters become Spark's named markers `:name`; values
   are bound by spark.sql(args=...), never pasted into the text.
No pyspark import here: translation is pure and testable without a JVM.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sqlglot
from sqlglot import exp

from dashboard.store import macros as store_macros


class TranslationError(ValueError):
    """A DuckDB construct the Spark translation does not know."""


@dataclass(frozen=True)
class Macro:
    name: str
    params: tuple[str, ...]
    body: exp.Expression
    is_table: bool


@cache
def macros() -> dict[str, Macro]:
    """Every macro of queries/macros: each file holds today's definitions."""
    found: dict[str, Macro] = {}
    for path in store_macros.files():
        for statement in sqlglot.parse(path.read_text(encoding="utf-8"), read="duckdb"):
            if isinstance(statement, exp.Create) and statement.args.get("kind") == "MACRO":
                udf = statement.this
                name = udf.this.name.lower()
                body = statement.expression
                found[name] = Macro(
                    name,
                    tuple(p.name.lower() for p in udf.expressions),
                    body,
                    isinstance(body, exp.Query),
                )
    return found


def _substitute(macro: Macro, args: list[exp.Expression]) -> exp.Expression:
    if len(args) != len(macro.params):
        raise TranslationError(
            f"Macro {macro.name} takes {len(macro.params)} arguments, got {len(args)}."
        )
    bound = dict(zip(macro.params, args, strict=True))

    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not node.table and node.name.lower() in bound:
            return bound[node.name.lower()].copy()
        return node

    return macro.body.copy().transform(replace)


def expand_macros(tree: exp.Expression) -> exp.Expression:
    """Replace macro calls by their bodies until none is left (macros call macros)."""
    known = macros()

    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and isinstance(node.this, exp.Anonymous):
            macro = known.get(node.this.name.lower())
            if macro and macro.is_table:
                body = _substitute(macro, list(node.this.expressions))
                alias = node.alias or macro.name
                return exp.Subquery(this=body, alias=exp.TableAlias(this=exp.to_identifier(alias)))
        if isinstance(node, exp.Anonymous):
            macro = known.get(node.name.lower())
            if macro and not macro.is_table:
                return exp.Paren(this=_substitute(macro, list(node.expressions)))
        return node

    for _ in range(10):  # macros nest a few levels deep at most
        before = tree.sql("duckdb")
        tree = tree.transform(replace)
        if tree.sql("duckdb") == before:
            return tree
    raise TranslationError("Macros still unexpanded after 10 rounds: is one recursive?")


# DuckDB date parts a `date_diff(<parameter>, a, b)` may be given, mapped to Spark's units.
_DATE_PARTS = ("day", "week", "month", "quarter", "year")


def _date_diff_by_parameter(node: exp.Expression) -> exp.Expression:
    """Spark's datediff needs the unit as a keyword: a unit bound as a parameter becomes a
    CASE over the parts, each branch a literal unit (the value is still bound, not pasted)."""
    if not isinstance(node, exp.DateDiff) or isinstance(node.args.get("unit"), exp.Var | None):
        return node
    unit = node.args["unit"]
    if isinstance(unit, exp.Literal):
        return node
    case = exp.Case(this=unit.copy())
    for part in _DATE_PARTS:
        branch = exp.DateDiff(
            this=node.this.copy(), expression=node.expression.copy(), unit=exp.var(part.upper())
        )
        case = case.when(exp.Literal.string(part), branch)
    return case.else_(_raise(f"date part must be one of {', '.join(_DATE_PARTS)}"))


def _is_interval(node: exp.Expression | None) -> bool:
    return isinstance(node, exp.ToDays | exp.Interval) or (
        isinstance(node, exp.Anonymous) and node.name.lower() == "to_months"
    )


def _add_into_case(node: exp.Expression) -> exp.Expression:
    """`d + case ... then to_days(n) else to_months(m) end`: DuckDB has one INTERVAL type,
    Spark two (day-time, year-month) that a CASE cannot mix; so add inside each branch."""
    if not isinstance(node, exp.Add | exp.Sub) or not isinstance(node.expression, exp.Case):
        return node
    case = node.expression
    branches = [branch.args["true"] for branch in case.args.get("ifs", [])]
    if not branches or not all(_is_interval(b) for b in [*branches, case.args.get("default")]):
        return node
    out = case.copy()
    for branch in out.args["ifs"]:
        branch.set("true", type(node)(this=node.this.copy(), expression=branch.args["true"]))
    out.set("default", type(node)(this=node.this.copy(), expression=out.args["default"]))
    return exp.Paren(this=out)


def _raise(message: str) -> exp.Expression:
    return exp.Anonymous(this="raise_error", expressions=[exp.Literal.string(message)])


_INFINITY = {"-infinity": "0001-01-01 00:00:00", "infinity": "9999-12-31 23:59:59.999999"}


def _functions(node: exp.Expression) -> exp.Expression:
    """DuckDB functions with another name or shape in Spark."""
    if isinstance(node, exp.Anonymous) and node.name.lower() == "error":
        return exp.Anonymous(this="raise_error", expressions=list(node.expressions))
    if isinstance(node, exp.ToDays):
        return exp.Anonymous(this="make_dt_interval", expressions=[node.this])
    if type(node).__name__ == "ToMonths" or (
        isinstance(node, exp.Anonymous) and node.name.lower() == "to_months"
    ):
        arg = node.this if not isinstance(node, exp.Anonymous) else node.expressions[0]
        return exp.Anonymous(this="make_ym_interval", expressions=[exp.Literal.number(0), arg])
    if isinstance(node, exp.PercentileCont) and node.args.get("expression") is not None:
        # DuckDB quantile_cont(x, q): Spark's percentile(x, q) interpolates the same way.
        return exp.Anonymous(this="percentile", expressions=[node.this, node.expression])
    if isinstance(node, exp.CTE) and node.args.get("materialized") is not None:
        # DuckDB's `as [not] materialized` hint: Spark has no such syntax and plans its own.
        node.set("materialized", None)
        return node
    if isinstance(node, exp.Literal) and node.is_string and node.this.lower() in _INFINITY:
        # DuckDB reads '-infinity' / 'infinity' as timestamps before or after every other;
        # Spark has none: the first and last representable instants order the same way.
        return exp.Cast(
            this=exp.Literal.string(_INFINITY[node.this.lower()]),
            to=exp.DataType.build("timestamp_ntz", dialect="spark"),
        )
    if isinstance(node, exp.Literal) and not node.is_string and "." in node.this:
        # DuckDB divides decimals into DOUBLE; Spark would keep DECIMAL. Same values, but a
        # double literal keeps the result types the pages know.
        return exp.Cast(this=node, to=exp.DataType.build("double"))
    return node


def _ordered_first(node: exp.Expression) -> exp.Expression:
    """DuckDB `first(x order by k1 desc, k2)` (an aggregate or a window over a partition):
    Spark has no ordered `first`, so sort the collected (keys, x) structs with a comparator
    written from the ORDER BY and take element 1. Nulls sort as DuckDB does (last by default)."""
    window = node if isinstance(node, exp.Window) else None
    first = window.this if window else node
    if not isinstance(first, exp.First) or not isinstance(first.this, exp.Order):
        return node
    if window is None and isinstance(node.parent, exp.Window):
        return node  # handled with its window
    order: exp.Order = first.this
    keys = order.expressions
    fields: list[exp.Expression] = [exp.Literal.string("v"), order.this.copy()]
    for i, key in enumerate(keys):
        fields += [exp.Literal.string(f"k{i}"), key.this.copy()]
    collected: exp.Expression = exp.Anonymous(
        this="collect_list",
        expressions=[exp.Anonymous(this="named_struct", expressions=fields)],
    )
    if window is not None:
        collected = exp.Window(
            this=exp.Anonymous(
                this="collect_list",
                expressions=[exp.Anonymous(this="named_struct", expressions=fields)],
            ),
            partition_by=[p.copy() for p in window.args.get("partition_by") or []],
        )
    whens = []
    for i, key in enumerate(keys):
        desc = bool(key.args.get("desc"))
        nulls_first = bool(key.args.get("nulls_first"))
        left, right = f"l.k{i}", f"r.k{i}"
        before, after = ("-1", "1") if nulls_first else ("1", "-1")
        less, more = ("1", "-1") if desc else ("-1", "1")
        whens += [
            f"when {left} is null and {right} is not null then {before}",
            f"when {left} is not null and {right} is null then {after}",
            f"when {left} < {right} then {less}",
            f"when {left} > {right} then {more}",
        ]
    compare = sqlglot.parse_one(f"case {' '.join(whens)} else 0 end", read="spark")
    comparator = exp.Lambda(
        this=compare, expressions=[exp.to_identifier("l"), exp.to_identifier("r")]
    )
    ordered = exp.Anonymous(this="array_sort", expressions=[collected, comparator])
    element = exp.Anonymous(this="element_at", expressions=[ordered, exp.Literal.number(1)])
    return exp.Dot(this=element, expression=exp.to_identifier("v"))


def _nested_generator(tree: exp.Expression) -> None:
    for node in tree.find_all(exp.Explode, exp.Unnest):
        parent = node.parent
        if not isinstance(parent, exp.Alias | exp.Select | exp.Lateral | exp.From | exp.Join):
            raise TranslationError(
                "Spark cannot run unnest() nested inside another expression "
                f"({parent.sql('duckdb')[:80]}): unnest in a CTE first, then apply the function."
            )


@cache
def to_spark(sql: str) -> str:
    """The Spark SQL text for a DuckDB query file's text (cached: files do not change)."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    tree = expand_macros(tree)
    _nested_generator(tree)
    tree = tree.transform(_date_diff_by_parameter)
    tree = tree.transform(_add_into_case)
    tree = tree.transform(_ordered_first)
    tree = tree.transform(_functions)
    return tree.sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE, comments=False)
