"""Turn a raw text table into canonical rows, in DuckDB, with a reason for every rejected row.

The SQL names only internal columns (c0.., f_<field>, e<k>) and fields from fields.py; every
value that comes from the file or the user (formats, stage names, column names in messages,
default pipeline) is a bound parameter.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from dashboard.ingest import fields as F
from dashboard.ingest import formats, stages
from dashboard.ingest.errors import ImportProblem, plain_reason
from dashboard.ingest.files import RawTable
from dashboard.ingest.mapping import Mapping
from dashboard.ingest.vendors import (
    DEFAULT_PIPELINE,
    MONTH_FIRST_VENDORS,
    Recognition,
    amount_scale,
    status_of_value,
)

_counter = itertools.count(1)
# The default reading of a date column whose every value reads both month first and day first;
# unset, such a column is asked (page) or the file refused (command line).
DATE_ORDER_ENV = "CRM_DASHBOARD_DATE_ORDER"
STORED = {t: [f.name for f in specs if f.stored] for t, specs in F.TABLES.items()}
MAX_STATUS_VALUES = 1000  # distinct values of a status column read (a status has a handful)
SCORE_RANGES = {"nps": (0, 10), "csat": (1, 10), "ces": (1, 7)}  # CSAT on 1-5 or 1-10


@dataclass
class Conversion:
    raw: RawTable
    mapping: Mapping
    vendor: Recognition
    table: str  # temp table: stored fields + __line + __errors
    notes: list[str] = field(default_factory=list)  # how each column was read, ambiguities
    ambiguous: list[str] = field(default_factory=list)  # columns whose dates read both ways
    undecided: list[str] = field(default_factory=list)  # ... that nobody decided: nothing loads
    date_orders: dict[str, str] = field(default_factory=dict)  # ambiguous column -> family used
    flag_conflicts: int = 0  # deals whose IsWon/IsClosed flags contradict their stage
    stage_map: pd.DataFrame | None = None  # raw_stage, stage, status, stage_order, probability
    children: dict[str, str] = field(default_factory=dict)  # extra canonical table -> relation

    def refusal(self) -> str | None:
        """Why this file must not load as it is (a date column nobody has decided), or None."""
        if not self.undecided:
            return None
        column = self.undecided[0]
        return (
            f"{self.raw.staged.name}: every date in column {column!r} reads both month first and"
            " day first (no day is over 12), so nothing was loaded; choose with --date-format"
            f" '{column}=month_first' (or '{column}=day_first'), with the choice on the import"
            f" page, or set {DATE_ORDER_ENV}=month_first or day_first."
        )

    def counts(self, con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
        """(rows that will load, rows rejected) including records DuckDB could not parse."""
        ok, bad = con.execute(
            f"select count(*) filter (where len(__errors) = 0),"
            f" count(*) filter (where len(__errors) > 0) from {self.table}"
        ).fetchall()[0]
        return int(ok), int(bad) + self.raw.parse_rejects["line"].nunique()

    def accepted_relation(self) -> str:
        return f"{self.table}_accepted"

    def rejected(self, con: duckdb.DuckDBPyConnection, limit: int | None = None) -> pd.DataFrame:
        """One row per problem: line, column, value, reason (a row may have several)."""
        cap = f"limit {int(limit)}" if limit else ""
        found = con.execute(
            f"select __line as line, e.column as column, e.value as value, e.reason as reason"
            f" from (select __line, unnest(__errors) as e from {self.table}"
            f" where len(__errors) > 0) order by line {cap}"
        ).df()
        out = pd.concat([self.raw.parse_rejects, found], ignore_index=True)
        out["line"] = out["line"].astype("int64")
        out.insert(0, "file", self.raw.staged.name)
        return out.sort_values("line", kind="stable").reset_index(drop=True)

    def preview(self, con: duckdb.DuckDBPyConnection, rows: int = 20) -> pd.DataFrame:
        """The first rows that will load, in file order, as they will be stored."""
        columns = ", ".join(
            c for c in STORED[self.mapping.table] if c in _columns(con, self.accepted_relation())
        )
        return con.execute(
            f"select __line as line, {columns} from {self.table} where"
            f" len(__errors) = 0 order by __line limit {int(rows)}"
        ).df()


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    return [d[0] for d in con.execute(f"select * from {relation} limit 0").description]


def convert(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    mapping: Mapping,
    vendor: Recognition,
    stage_map: pd.DataFrame | None = None,
) -> Conversion:
    """Build the converted table for `mapping` (checked for required fields first)."""
    problem = missing_fields_problem(raw, mapping)
    if problem:
        raise problem
    conv = Conversion(raw, mapping, vendor, f"conv_{next(_counter)}")
    builder = _Builder(con, conv)
    if mapping.table == "deals":
        if stage_map is None:
            stage_map = (
                stages.guess(con, raw, mapping, vendor)
                if mapping.source("stage")
                else stages.order(stages.with_final(pd.DataFrame([NO_STAGE])))
            )
            if mapping.source("stage"):
                conv.notes += [
                    n for n in (stages.order_note(stage_map), stages.status_note(stage_map)) if n
                ]
        conv.stage_map = stages.settled(stage_map)
        con.register(f"{conv.table}_stages", conv.stage_map)
    try:
        builder.build()
        if mapping.table == "deals":
            _note_flag_conflicts(con, conv)
    except BaseException:
        discard(con, conv)  # a conversion that fails leaves no temp view or table behind
        raise
    return conv


# A deals file without a stage column: one open stage (the pipeline still ends in won and lost).
NO_STAGE = {
    "raw_stage": None,
    "stage": "Open",
    "status": "open",
    "default_order": 1,
    "order_from": "crm",
    "status_from": "crm",
    "probability": None,
    "deals": 0,
}


def _note_flag_conflicts(con: duckdb.DuckDBPyConnection, conv: Conversion) -> None:
    """Count the deals whose closed/won flags say otherwise than their stage (or status
    column), and say so: the stage decided."""
    if "__flag_conflict" not in _columns(con, conv.table):
        return
    groups = con.execute(
        f"select __flag_conflict, __decided_by, count(*) from {conv.table}"
        " where len(__errors) = 0 and __flag_conflict is not null group by all order by 3 desc, 1"
    ).fetchall()
    conv.flag_conflicts = sum(n for *_, n in groups)
    if not groups:
        return
    parts = [
        f"{n} {'row says' if n == 1 else 'rows say'} {flags} but {'its' if n == 1 else 'their'}"
        f" {decided}"
        for flags, decided, n in groups
    ]
    total = conv.flag_conflicts
    conv.notes.append(
        f"{total} {'row has' if total == 1 else 'rows have'} closed/won flags that contradict"
        f" {'its' if total == 1 else 'their'} stage: {'; '.join(parts)}; the stage decides"
        " (change what a stage means with --stage 'NAME=won|lost|open' or in the stage grid)"
    )


def missing_fields_problem(raw: RawTable, mapping: Mapping) -> ImportProblem | None:
    """The sentence for a mapping that lacks what its table needs, or None."""
    missing = mapping.missing_required()
    if not missing:
        return None
    example = missing[0].split(" or ")[0]
    return ImportProblem(
        f"{raw.staged.name} has no column mapped to {'; '.join(missing)}, which "
        f"{mapping.table} needs; map one (for example --map {example}=<column>, or pick it in "
        "the mapping grid) or choose another table.",
        file=raw.staged.name,
    )


def discard(con: duckdb.DuckDBPyConnection, conv: Conversion) -> None:
    """Drop the temp views and tables a conversion made."""
    for name in (conv.accepted_relation(), *conv.children.values(), conv.table):
        for kind in ("view", "table"):
            try:
                con.execute(f"drop {kind} if exists {name}")
            except duckdb.CatalogException:
                continue  # it is the other kind
    if conv.stage_map is not None:
        con.unregister(f"{conv.table}_stages")


class _Builder:
    def __init__(self, con: duckdb.DuckDBPyConnection, conv: Conversion):
        self.con, self.conv = con, conv
        self.params: dict[str, object] = {}
        self.columns = conv.raw.columns
        self.specs = F.fields_of(conv.mapping.table)
        self.decimals: dict[str, str] = {}
        self.flags: set[str] = set()  # raw columns whose emptiness is computed once

    def missing(self, column: str) -> str:
        """The precomputed 'cell is empty' flag of a raw column (see build)."""
        self.flags.add(column)
        return f"m_{column}"

    def check(self, cond: str, label: str, value: str, reason: str) -> tuple[str, str]:
        """(condition, problem struct): the row is rejected when the condition holds."""
        struct = (
            f'struct_pack("column" := {self.param(label)}, value := {value}, '
            f"reason := {self.param(reason)})"
        )
        return cond, struct

    def param(self, value: object) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"${name}"

    # -- reading each mapped field -------------------------------------------------------
    def typed_fields(self) -> tuple[list[str], list[str]]:
        """SQL select items for each mapped field, and the conversion-error items."""
        items, errors = [], []
        for name, choice in self.conv.mapping.fields.items():
            if choice.source is None:
                continue
            cols = [self.columns[c] for c in choice.source.columns]
            kind = self.specs[name].kind
            expr = self.read(name, kind, cols, choice.date_family)
            items.append(f"{expr} as f_{name}")
            raw_text = " || ' × ' || ".join(f"coalesce({c}, '')" for c in cols)
            label = choice.source.describe()
            if kind in (F.DATE, F.AMOUNT, F.NUMBER, F.INTEGER, F.BOOL):
                unreadable = " or ".join(f"not {self.missing(c)}" for c in cols)
                errors.append(
                    self.check(
                        f"({unreadable}) and f_{name} is null",
                        label,
                        raw_text,
                        self.unreadable_reason(name, kind),
                    )
                )
        return items, errors

    def unreadable_reason(self, name: str, kind: str) -> str:
        what = {
            F.DATE: "a date",
            F.AMOUNT: "an amount",
            F.NUMBER: "a number",
            F.INTEGER: "a whole number",
            F.BOOL: "yes/no",
        }[kind]
        return f"cannot read this as {what} for {name}"

    def read(self, name: str, kind: str, cols: list[str], family: str | None) -> str:
        if kind == F.DATE:
            return self.date(name, cols[0], family)
        if kind in (F.AMOUNT, F.NUMBER, F.INTEGER):
            type_name = {F.AMOUNT: "decimal(18, 2)", F.NUMBER: "double", F.INTEGER: "bigint"}[kind]
            parts = [self.scaled(kind, c) for c in cols]
            # try_cast: a number too large for the column (1e20 as an amount) rejects its row
            # instead of failing the whole file.
            return f"try_cast({' * '.join(parts)} as {type_name})"
        if kind == F.BOOL:
            return formats.bool_sql(cols[0])
        if kind == F.ID:
            trimmed = formats.trimmed_sql(cols[0])
            return f"case when {self.missing(cols[0])} then null else {trimmed} end"
        if kind == F.STATUS:
            return self.status(cols[0])
        if kind == F.SURVEY_TYPE:
            low = f"lower({cols[0]})"
            return (
                f"case when {low} like '%nps%' or {low} like '%promot%' then 'nps'"
                f" when {low} like '%csat%' or {low} like '%satisf%' then 'csat'"
                f" when {low} like '%ces%' or {low} like '%effort%' then 'ces' end"
            )
        return f"nullif({formats.trimmed_sql(cols[0])}, '')"

    def status(self, column: str) -> str:
        """open / won / lost from a status column: each distinct value read once in Python
        (the CRM's own values, then words in six languages, vendors.status_of_value); a value
        that says none of them is null, so the stage decides that row (with a note)."""
        vendor = self.conv.vendor.vendor
        values = [
            r[0]
            for r in self.con.execute(
                f"select distinct trim({column}) from {self.conv.raw.table}"
                f" where nullif(trim({column}), '') is not null"
                f" order by 1 limit {MAX_STATUS_VALUES}"
            ).fetchall()
        ]
        keys: dict[str, list[str]] = {"won": [], "lost": [], "open": []}
        unknown = []
        for value in values:
            status = status_of_value(value, vendor)
            if status is None:
                unknown.append(value)
            else:
                keys[status].append(value.lower())
        if unknown:
            listed = ", ".join(repr(v) for v in unknown[:5])
            self.conv.notes.append(
                f"{self.header_of(column)}: {listed} {'says' if len(unknown) == 1 else 'say'}"
                " neither open, won nor lost: the stage decides those rows"
            )
        whens = " ".join(
            f"when list_contains({self.param(found)}, lower(trim({column}))) then '{status}'"
            for status, found in keys.items()
            if found
        )
        return f"case {whens} end" if whens else "null"

    def scaled(self, kind: str, column: str) -> str:
        """A number cell, divided when its CRM writes that amount column in cents (the
        vendor's amount scale, vendors.AMOUNT_SCALES), with a note saying so."""
        number = formats.number_sql(column, self.decimal(column), missing=self.missing(column))
        header = self.header_of(column)
        scale = amount_scale(self.conv.vendor.vendor, header) if kind == F.AMOUNT else None
        if scale is None:
            return number
        self.conv.notes.append(f"{header}: {scale.note}")
        return f"({number} / {int(scale.divisor)})"

    def date(self, label: str, column: str, family: str | None) -> str:
        header = self.header_of(column)
        if family is None:
            guess = formats.guess_date(self.con, self.conv.raw.table, column, False)
            family = guess.family
            if guess.ambiguous:
                family = self.ambiguous_date(header, column)
            elif guess.sampled:
                self.conv.notes.append(f"{header}: dates read as {guess.describe()}")
        else:
            self.conv.notes.append(
                f"{header}: dates read as {formats.FAMILIES[family].label} (chosen)"
            )
            if (
                family in formats.AMBIGUOUS_PAIR
                and formats.guess_date(self.con, self.conv.raw.table, column, False).ambiguous
            ):
                # Still listed, so the page keeps the choice on screen to change.
                self.conv.ambiguous.append(header)
                self.conv.date_orders[header] = family
        formats_list = (
            formats.fastest_first(self.con, self.conv.raw.table, column, family)
            if family
            else ["%Y-%m-%d"]
        )
        return formats.date_sql(column, self.param(formats_list)[1:], self.missing(column))

    def ambiguous_date(self, header: str, column: str) -> str:
        """A column whose every date reads both ways is never decided silently: a CRM that
        always writes month first, or the configured default, decides with a note; otherwise
        the column is undecided and the file cannot load until someone chooses."""
        self.conv.ambiguous.append(header)
        example = formats.sample_values(self.con, self.conv.raw.table, column)[0]
        both = (
            f"{header}: AMBIGUOUS dates: every date reads both month first and day first"
            f" (e.g. '{example}')"
        )
        decided, why = self.default_date_order()
        if decided is None:
            self.conv.undecided.append(header)
            self.conv.notes.append(
                f"{both}; not decided, so nothing loads until you choose: --date-format"
                f" '{header}=month_first' (or day_first), or the choice on the import page"
            )
            return "day_first"  # only for the preview; the file cannot load like this
        other = "day_first" if decided == "month_first" else "month_first"
        self.conv.date_orders[header] = decided
        self.conv.notes.append(
            f"{both}; read {formats.FAMILIES[decided].label.split(' (')[0]} because {why};"
            f" change it with --date-format '{header}={other}'"
        )
        return decided

    def default_date_order(self) -> tuple[str | None, str | None]:
        """(family, why) for ambiguous dates: the CRM's habit, then the configured default."""
        if self.conv.vendor.vendor in MONTH_FIRST_VENDORS:
            return "month_first", f"{self.conv.vendor.label} writes month-first dates"
        configured = os.environ.get(DATE_ORDER_ENV, "").strip()
        if not configured:
            return None, None
        if configured not in formats.AMBIGUOUS_PAIR:
            raise ImportProblem(
                f"{DATE_ORDER_ENV} is {configured!r}; set it to month_first or day_first,"
                " or unset it to be asked.",
                file=self.conv.raw.staged.name,
            )
        return configured, f"{DATE_ORDER_ENV} is {configured}"

    def decimal(self, column: str) -> str:
        if self.conv.mapping.decimal:
            return self.conv.mapping.decimal
        if column not in self.decimals:
            values = formats.sample_values(self.con, self.conv.raw.table, column)
            guess = formats.guess_number(values, self.conv.raw.staged.delimiter)
            if guess.evidence:  # plain numbers need no note
                self.conv.notes.append(f"{self.header_of(column)}: {guess.evidence}")
            self.decimals[column] = guess.decimal
        return self.decimals[column]

    def header_of(self, column: str) -> str:
        return next(h for h, c in self.columns.items() if c == column)

    # -- the table as a whole ----------------------------------------------------------------
    def build(self) -> None:
        conv, table = self.conv, self.conv.mapping.table
        items, errors = self.typed_fields()
        entries = self.entries()
        resolved = self.resolved_columns(table)
        required = self.required_errors(table)
        flags = ", ".join(f"{formats.missing_sql(c)} as m_{c}" for c in sorted(self.flags))
        cells = f"select rowid as __rowid, *{', ' + flags if flags else ''} from {conv.raw.table}"
        typed = (
            f"select {conv.raw.line_expression('__rowid')} as __line, "
            + ", ".join(items + [e[0] for e in entries] + ["*"])
            + " from cells"
        )
        entry_errors = [e[1] for e in entries]
        checks = errors + entry_errors + required + self.range_errors(table)
        any_bad = " or ".join(f"coalesce({c}, false)" for c, _ in checks) or "false"
        error_list = ", ".join(f"case when {c} then {st} end" for c, st in checks) or "null"
        key = F.KEY_FIELD.get(table)
        dedupe = self.dedupe_error(table, key)
        stored = ", ".join(f"{expr} as {name}" for name, expr in resolved.items())
        joins = self.joins(table)
        entry_cols = "".join(f", e{k}" for k in range(len(entries)))
        sql = f"""
            create temp table {conv.table} as
            with cells as ({cells}),
            typed as ({typed}),
            resolved as (
                select __rowid, __line, typed.* exclude (__rowid, __line),
                       {stored}
                from typed {joins}
            ),
            checked as (
                -- Problems are listed only for rows that have one: most rows skip the lists.
                select *, case when {any_bad}
                    then list_filter([{error_list}], lambda x: x is not null)
                    else [] end as __errs
                from resolved
            ),
            deduped as (
                select *, {dedupe} as __dup from checked
            )
            select __line, {", ".join(resolved)}{entry_cols},
                   case when __dup is null then __errs else list_append(__errs, __dup) end
                       as __errors
            from deduped
        """
        try:
            self.con.execute(sql, self.params)
        except duckdb.Error as exc:
            raise ImportProblem(
                f"{conv.raw.staged.name} could not be converted: {plain_reason(exc)}",
                file=conv.raw.staged.name,
            ) from exc
        stored_cols = [c for c in resolved if c in STORED[table]]
        self.con.execute(
            f"create or replace temp view {conv.accepted_relation()} as select "
            f"{', '.join(stored_cols)} from {conv.table} where len(__errors) = 0"
        )
        if table == "deals":
            self.deal_children(entries)

    def entries(self) -> list[tuple[str, tuple[str, str]]]:
        """(select item, check) per 'entered stage' date column."""
        out = []
        for k, entry in enumerate(self.conv.mapping.stage_entries):
            column = self.columns[entry.column]
            expr = self.date(entry.column, column, entry.date_family)
            error = self.check(
                f"not {self.missing(column)} and e{k} is null",
                entry.column,
                column,
                "cannot read this as a date",
            )
            out.append((f"{expr} as e{k}", error))
        return out

    def f(self, name: str) -> str:
        return f"f_{name}" if self.conv.mapping.source(name) else "null"

    def account_id(self, table: str) -> str:
        if not self.conv.mapping.source("account_name"):
            return self.f("account_id")
        by_name = "lower(trim(f_account_name))"
        known = "" if table == "accounts" else "known.account_id, "
        return (
            f"coalesce({self.f('account_id')}, {known}"
            f"case when {by_name} <> '' then 'name:' || {by_name} end)"
        )

    def joins(self, table: str) -> str:
        out = ""
        if (
            "account_id" in STORED[table]
            and table != "accounts"
            and self.conv.mapping.source("account_name")
        ):
            out += (
                " left join (select lower(trim(account_name)) as name_key,"
                " min(account_id) as account_id from accounts"
                " where account_name is not null group by 1) known"
                f" on known.name_key = lower(trim({self.f('account_name')}))"
            )
        if table == "deals" and self.conv.mapping.source("stage"):
            out += f" left join {self.conv.table}_stages sm on sm.raw_stage = f_stage"
        return out

    def resolved_columns(self, table: str) -> dict[str, str]:
        """Stored column -> SQL over `typed` (plus joins)."""
        cols = {name: self.f(name) for name in STORED[table]}
        if "account_id" in cols:
            cols["account_id"] = self.account_id(table)
        key = F.KEY_FIELD.get(table)
        if key:
            # No key in the file: a hash of the whole line, so the same line loaded again
            # (even from a re-export in another order) replaces itself instead of doubling.
            # The hash is only computed for rows without a key (coalesce stops at the key).
            all_raw = ", ".join(f"coalesce({c}, '')" for c in self.columns.values())
            line_hash = f"md5(concat_ws(chr(31), {all_raw}))"
            cols[key] = f"coalesce({cols[key]}, 'gen-' || substr({line_hash}, 1, 20))"
        if table == "surveys":
            cols["survey_type"] = self.survey_type()
        if table == "deals":
            cols.update(self.deal_columns())
        return cols

    def survey_type(self) -> str:
        if self.conv.mapping.source("survey_type"):
            return "f_survey_type"
        # No type column: a 0-10 scale is NPS, else a 1-5 rating (reviews, CSAT).
        score = self.columns[self.conv.mapping.source("score").columns[0]]
        top = self.con.execute(
            f"select max(try_cast(replace(trim({score}), ',', '.') as double))"
            f" from {self.conv.raw.table}"
        ).fetchall()[0][0]
        kind = "nps" if top is not None and top > 5 else "csat"
        self.conv.notes.append(
            f"no survey type column: scores up to {top:g} read as {kind.upper()}"
            if top is not None
            else "no scores found"
        )
        return self.param(kind)

    def deal_columns(self) -> dict[str, str]:
        """Status from the status column, else the stage; the closed/won flags decide only the
        rows whose stage says nothing (`by_flags`), and every other disagreement is counted."""
        m = self.conv.mapping
        has_stage = bool(m.source("stage"))
        has_flags = bool(m.source("is_won") or m.source("is_closed"))
        flags = "null"
        if has_flags:
            flags = (
                f"case when {self.f('is_won')} then 'won' "
                f"when {self.f('is_closed')} then 'lost' "
                f"when {self.f('is_closed')} = false then 'open' end"
            )
        from_stage = "null"
        if has_stage:
            from_stage = (
                f"case when sm.by_flags then coalesce({flags}, sm.status) else sm.status end"
            )
        status = f"coalesce({self.f('status')}, {from_stage}, {flags}, 'open')"
        stage = (
            "coalesce(sm.stage, f_stage)"
            if has_stage
            else (f"case {status} when 'won' then 'Won' when 'lost' then 'Lost' else 'Open' end")
        )
        entered_final = self.final_stage_dates(status)
        closed = (
            f"coalesce({entered_final}, {self.f('closed_at')})"
            if entered_final
            else self.f("closed_at")
        )
        vendor = self.conv.vendor.vendor
        pipeline_default = self.param(DEFAULT_PIPELINE.get(vendor, DEFAULT_PIPELINE["generic"]))
        out = {
            "pipeline": f"coalesce({self.f('pipeline')}, {pipeline_default})",
            "stage": stage,
            "status": status,
            "closed_at": f"case when {status} = 'open' then null else {closed} end",
        }
        if has_flags and (has_stage or m.source("status")):
            out.update(self.flag_conflict(status, has_stage))
        return out

    def flag_conflict(self, status: str, has_stage: bool) -> dict[str, str]:
        """`__flag_conflict`: the flags ('IsWon=false, IsClosed=false') that contradict a row's
        status when the status did not come from them; `__decided_by`: what did decide."""
        by_stage = "(sm.status is not null and not sm.by_flags)" if has_stage else "false"
        decided = f"({self.f('status')} is not null or {by_stage})"
        parts = []
        for name, wrong in (
            ("is_won", f"f_is_won <> ({status} = 'won')"),
            ("is_closed", f"f_is_closed <> ({status} <> 'open')"),
        ):
            source = self.conv.mapping.source(name)
            if source:
                cell = formats.trimmed_sql(self.columns[source.columns[0]])
                said = f"{self.param(source.describe() + '=')} || {cell}"
                parts.append(f"case when {wrong} then {said} end")
        stage_words = (
            f"'stage ' || chr(39) || coalesce(sm.stage, f_stage) || chr(39) || ' is ' || {status}"
            if has_stage
            else "null"
        )
        return {
            "__flag_conflict": (
                f"case when {decided} then nullif(concat_ws(', ', {', '.join(parts)}), '') end"
            ),
            "__decided_by": (
                f"case when {self.f('status')} is not null then 'status column says ' || {status}"
                f" else {stage_words} end"
            ),
        }

    def final_stage_dates(self, status: str) -> str | None:
        """HubSpot rewrites Close Date: prefer the date the deal entered its won/lost stage."""
        whens = []
        stage_map = self.conv.stage_map
        for k, entry in enumerate(self.conv.mapping.stage_entries):
            label = stages.label(entry.stage)
            final = (
                stage_map is not None
                and (
                    (stage_map["stage"] == label) & stage_map["status"].isin(["won", "lost"])
                ).any()
            )
            if final:
                whens.append(f"when coalesce(sm.stage, f_stage) = {self.param(label)} then e{k}")
        if not whens or not self.conv.mapping.source("stage"):
            return None
        return f"(case {' '.join(whens)} end)"

    def required_errors(self, table: str) -> list[str]:
        """A row whose cells for a required field are all empty is rejected, saying which."""
        out = []
        for alternatives in F.REQUIRED[table]:
            mapped = [a for a in alternatives if self.conv.mapping.source(a)]
            if not mapped:
                continue
            cells = [self.columns[c] for a in mapped for c in self.conv.mapping.source(a).columns]
            empty = " and ".join(self.missing(c) for c in cells)
            label = " / ".join(self.conv.mapping.source(a).describe() for a in mapped)
            words = " or ".join(a.replace("_", " ") for a in alternatives)
            shown = " || ' ' || ".join(f"coalesce({c}, '')" for c in cells)
            out.append(self.check(empty, label, f"trim({shown})", f"no {words} on this row"))
        return out

    def range_errors(self, table: str) -> list[str]:
        if table != "surveys":
            return []
        label = self.conv.mapping.source("score").describe()
        checks = " or ".join(
            f"(survey_type = '{kind}' and f_score not between {lo} and {hi})"
            for kind, (lo, hi) in SCORE_RANGES.items()
        )
        reason = "score outside its scale (NPS 0-10, CSAT 1-5 or 1-10, CES 1-7)"
        out = [self.check(checks, label, "cast(f_score as varchar)", reason)]
        if self.conv.mapping.source("survey_type"):
            # A type cell that names no known survey would break the load (the column is
            # required): the row is rejected with the reason instead.
            type_label = self.conv.mapping.source("survey_type").describe()
            raw_type = self.columns[self.conv.mapping.source("survey_type").columns[0]]
            out.append(
                self.check(
                    "survey_type is null",
                    type_label,
                    raw_type,
                    "cannot tell the survey type (NPS, CSAT or CES) from this cell",
                )
            )
        return out

    def dedupe_error(self, table: str, key: str | None) -> str:
        if table not in ("accounts", "deals", "owners", "products") or key is None:
            return "null"
        reason = self.param(f"{key} appears again later in the file; the later line is kept")
        label = self.param(key)
        return (
            f"case when __line < max(__line) over (partition by {key}) then struct_pack("
            f'"column" := {label}, value := {key}, reason := {reason}) end'
        )

    def deal_children(self, entries: list[tuple[str, str]]) -> None:
        conv = self.conv
        if entries:
            parts = []
            params = {}
            for k, entry in enumerate(conv.mapping.stage_entries):
                params[f"s{k}"] = stages.label(entry.stage)
                parts.append(
                    f"select deal_id, $s{k} as stage, e{k} as entered_at "
                    f"from {conv.table} where len(__errors) = 0 and e{k} is not null"
                )
            view = f"{conv.table}_history"
            # Views cannot hold parameters: materialise the few history rows as a temp table.
            self.con.execute(
                f"create or replace temp table {view} as " + " union all ".join(parts), params
            )
            conv.children["deal_stage_history"] = view
        stages_view = f"{conv.table}_pipeline_stages"
        if conv.stage_map is not None:
            # Stages deals are in, plus stages known only from "entered" columns, per pipeline.
            # A pipeline another load already holds keeps its stages and their order: the
            # file only appends the stages it is new to, after the last known one, in the
            # file's order (issue 21: a 4-row file had reordered the sample's funnel). The
            # view reads pipeline_stages when the load runs, inside its transaction.
            self.con.execute(
                f"create or replace temp view {stages_view} as "
                f"with ok as (select * from {conv.table} where len(__errors) = 0), "
                f"used as (select distinct d.pipeline, s.stage from ok d "
                f"join {conv.table}_stages s on s.stage = d.stage "
                f"union select distinct d.pipeline, s.stage from ok d "
                f"cross join {conv.table}_stages s where s.deals = 0), "
                f"mine as (select u.pipeline, u.stage, min(s.stage_order) as stage_order, "
                f"any_value(s.status) as status, avg(s.probability) as probability "
                f"from used u join {conv.table}_stages s on s.stage = u.stage group by all), "
                f"held as (select pipeline, max(stage_order) as last_order "
                f"from main.pipeline_stages group by pipeline) "
                f"select m.pipeline, m.stage, "
                f"case when h.last_order is null then m.stage_order else h.last_order + "
                f"row_number() over (partition by m.pipeline order by m.stage_order, m.stage) "
                f"end as stage_order, m.status, m.probability "
                f"from mine m left join held h on h.pipeline = m.pipeline "
                f"where not exists (select 1 from main.pipeline_stages k "
                f"where k.pipeline = m.pipeline and k.stage = m.stage)"
            )
            conv.children["pipeline_stages"] = stages_view
