"""Several files dropped together are one export: ordered, joined, checked, loaded together.

A four-file CRM export (accounts, products, deals, sales teams) only answers "won deals by
segment" or "by team" when its files meet: deals name their account (by id or by name), their
owner (a teams file fills `owners`) and their product (a products file gives the series). So:

- files load in dependency order: owners, products and accounts before deals, deals before
  their history, activities, orders, surveys and tickets (`in_load_order`);
- a deal (or order, activity, ...) that names its account only by name gets the id the
  account has in an accounts file of the same batch (`link_accounts`); with names only on
  both sides both get the same generated id ('name:<lower-case name>');
- before loading, the key overlap between the files is shown (`overlaps`): how many deals name
  an account of the accounts file, how many deal owners the teams file knows, how many product
  names the products file lists (spaces and case ignored, as the series breakdown matches);
- the files load as one load each, in that order, in one transaction (`commit_all`): each file
  keeps its own line in the load history and can be undone alone (undoing the accounts file
  leaves the deals with an account id no account has: they drop out of segment filters, as
  they would had the accounts never been loaded), but the batch lands whole or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import duckdb
from rapidfuzz import fuzz, process

from dashboard.ingest import loader
from dashboard.ingest.errors import ImportProblem, plain_reason
from dashboard.ingest.mapping import shared_names
from dashboard.store import warehouse

# Tables in the order their files load: referenced tables before the tables naming them.
LOAD_ORDER = (
    "owners",
    "products",
    "accounts",
    "pipeline_stages",
    "deals",
    "deal_stage_history",
    "activities",
    "orders",
    "surveys",
    "tickets",
)
# Tables whose rows name an account (by id, or by name through convert's generated id).
ACCOUNT_USERS = ("deals", "activities", "orders", "surveys", "tickets")
# Singular nouns for the overlap sentences.
NOUNS = {
    "deals": "deal",
    "activities": "activity",
    "orders": "order",
    "surveys": "response",
    "tickets": "ticket",
    "accounts": "account",
    "deal_stage_history": "history row",
}
# A product name no spelling rule matches but this similar (0-100, rapidfuzz ratio on the
# compact names) is shown as "closest", never counted as a match.
CLOSEST_SCORE = 80
_PRODUCT_NOISE = re.compile(r"[\s._-]+")


def product_key(name: str) -> str:
    """How product names are matched (case, spaces, dots, dashes and underscores ignored):
    'GTXPro' and 'GTX Pro' are one product. queries/macros/products.sql's product_key is the
    same rule in SQL."""
    return _PRODUCT_NOISE.sub("", name.strip().lower())


def _person_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def in_load_order(inspections: Sequence[loader.Inspection]) -> list[loader.Inspection]:
    """The inspections sorted by LOAD_ORDER of their tables; files of one table keep the
    order they were given in."""

    def rank(ins: loader.Inspection) -> int:
        table = ins.mapping.table
        return LOAD_ORDER.index(table) if table in LOAD_ORDER else len(LOAD_ORDER)

    return sorted(inspections, key=rank)


def _loadable(inspections, table: str) -> list[loader.Inspection]:
    return [i for i in inspections if i.mapping.table == table and i.conversion is not None]


def link_accounts(con: duckdb.DuckDBPyConnection, inspections: Sequence[loader.Inspection]) -> int:
    """Give rows that name their account only by name the id that account has in the batch's
    accounts file(s). Returns the rows changed. (convert already matches names against the
    accounts loaded before; this does the same for accounts loading in the same batch.)"""
    accounts = _loadable(inspections, "accounts")
    if not accounts:
        return 0
    known = " union all ".join(
        f"select account_id, account_name from {a.conversion.table} where len(__errors) = 0"
        for a in accounts
    )
    changed = 0
    for table in ACCOUNT_USERS:
        for ins in _loadable(inspections, table):
            changed += con.execute(
                f"update {ins.conversion.table} t set account_id = k.account_id"
                f" from (select 'name:' || lower(trim(account_name)) as generated,"
                f" min(account_id) as account_id from ({known})"
                f" where account_name is not null group by 1) k"
                f" where t.account_id = k.generated and k.account_id <> k.generated"
            ).fetchall()[0][0]
    return changed


@dataclass(frozen=True)
class Overlap:
    """How one key of one file meets another file of the batch."""

    key: str  # the referring file's column (or field) name: 'account', 'sales_agent', ...
    source: str  # the referring file
    target: str  # the file(s) referred to
    matched: int
    total: int
    what: str  # 'deals', 'deal owners', 'product names'
    empty: int = 0  # rows naming nothing
    loose: tuple[tuple[str, str], ...] = ()  # (spelling in source, spelling in target)
    unmatched: tuple[str, ...] = ()
    closest: dict[str, str] = field(default_factory=dict)  # unmatched -> a similar name

    def sentence(self) -> str:
        text = f"{self.key} ({self.source} → {self.target}): {self.matched:,} of {self.total:,} "
        text += f"{self.what} {self._verb()} {self.target}"
        extras = []
        if self.empty:
            extras.append(f"{self.empty:,} {'names' if self.empty == 1 else 'name'} none")
        if self.loose:
            extras.append(", ".join(f"'{a}' ≈ '{b}'" for a, b in self.loose) + " matched loosely")
        missing = [u for u in self.unmatched if u]
        if missing:
            shown = ", ".join(
                f"'{u}'" + (f" (closest: '{self.closest[u]}')" if u in self.closest else "")
                for u in missing[:5]
            )
            more = f" and {len(missing) - 5:,} more" if len(missing) > 5 else ""
            extras.append(f"not in {self.target}: {shown}{more}")
        return text + (f" ({'; '.join(extras)})" if extras else "")

    def _verb(self) -> str:
        if self.what.endswith("owners"):
            return "are in"
        if self.what.endswith("names"):
            return "match"
        if self.what.endswith("history"):
            return "are in"
        return "name an account in"


def _column_of(ins: loader.Inspection, name: str) -> str:
    source = ins.mapping.source(name)
    return source.describe() if source else name


def _names(target: Sequence[loader.Inspection]) -> str:
    return ", ".join(t.name for t in target)


def overlaps(
    con: duckdb.DuckDBPyConnection, inspections: Sequence[loader.Inspection]
) -> list[Overlap]:
    """The key overlap between the files of a batch, one per pair of files (the same before
    and after link_accounts; nothing is changed)."""
    out = []
    accounts = _loadable(inspections, "accounts")
    owners = _loadable(inspections, "owners")
    products = _loadable(inspections, "products")
    deals = _loadable(inspections, "deals")
    for table in ACCOUNT_USERS:
        for ins in _loadable(inspections, table):
            if accounts and (
                ins.mapping.source("account_id") or ins.mapping.source("account_name")
            ):
                out.append(_account_overlap(con, ins, accounts))
    for ins in _loadable(inspections, "deals") + _loadable(inspections, "accounts"):
        if owners and ins.mapping.source("owner"):
            out.append(_owner_overlap(con, ins, owners))
    for ins in _loadable(inspections, "deals") + _loadable(inspections, "orders"):
        if products and ins.mapping.source("product"):
            out.append(_product_overlap(con, ins, products))
    for ins in _loadable(inspections, "deal_stage_history"):
        if deals:
            out.append(_history_overlap(con, ins, deals))
    return out


def _accepted_values(con, ins: loader.Inspection, column: str) -> list[object]:
    return [
        r[0]
        for r in con.execute(
            f"select {column} from {ins.conversion.table} where len(__errors) = 0"
        ).fetchall()
    ]


def _accepted(ins: loader.Inspection, column: str) -> str:
    """The file's accepted rows' `column`, as SQL (a conversion table and a field name from
    the product, never from a user)."""
    return f"select {column} as v from {ins.conversion.table} where len(__errors) = 0"


def _key_overlap(con, ins, column: str, known: str) -> tuple[int, int, int, list[object]]:
    """(rows, rows naming something, rows naming a known key, the distinct unknown keys) of
    `column` in the file's accepted rows, counted by DuckDB: an export's 10M activities never
    come into Python (only the keys nobody knows do)."""
    rows, present, matched = con.execute(
        f"select count(*), count(n.v), count(k.v) from ({_accepted(ins, column)}) n"
        f" left join (select distinct v from ({known}) where v is not null) k on k.v = n.v"
    ).fetchall()[0]
    missing = con.execute(
        f"select distinct v from ({_accepted(ins, column)}) where v is not null"
        f" and v not in (select v from ({known}) where v is not null)"
    ).fetchall()
    return rows, present, matched, [m[0] for m in missing]


def _account_keys(accounts) -> str:
    """SQL: the ids a row can reach the batch's accounts by: their ids, and the id a row
    naming the account by name gets before link_accounts ('name:<lower-case name>')."""
    return " union all ".join(
        f"select account_id as v from {a.conversion.table} where len(__errors) = 0"
        f" union all select 'name:' || lower(trim(account_name)) from {a.conversion.table}"
        " where len(__errors) = 0"
        for a in accounts
    )


def _account_overlap(con, ins, accounts) -> Overlap:
    total, present, matched, unknown = _key_overlap(con, ins, "account_id", _account_keys(accounts))
    missing = sorted({str(v).removeprefix("name:") for v in unknown})
    key = _column_of(ins, "account_id" if ins.mapping.source("account_id") else "account_name")
    return Overlap(
        key=key,
        source=ins.name,
        target=_names(accounts),
        matched=matched,
        total=total,
        what=ins.mapping.table if total != 1 else NOUNS[ins.mapping.table],
        empty=total - present,
        unmatched=tuple(missing),
    )


def _owner_overlap(con, ins, owners) -> Overlap:
    team = {_person_key(str(v)) for o in owners for v in _accepted_values(con, o, "owner") if v}
    people = sorted({str(v) for v in _accepted_values(con, ins, "owner") if v})
    missing = tuple(p for p in people if _person_key(p) not in team)
    noun = NOUNS[ins.mapping.table]
    return Overlap(
        key=_column_of(ins, "owner"),
        source=ins.name,
        target=_names(owners),
        matched=len(people) - len(missing),
        total=len(people),
        what=f"{noun} owners",
        unmatched=missing,
    )


def _product_overlap(con, ins, products) -> Overlap:
    listed = sorted({str(v) for p in products for v in _accepted_values(con, p, "product") if v})
    by_key = {product_key(p): p for p in listed}
    named = sorted({str(v) for v in _accepted_values(con, ins, "product") if v})
    loose, missing, closest = [], [], {}
    for name in named:
        if name.strip() in listed:
            continue
        if product_key(name) in by_key:
            loose.append((name, by_key[product_key(name)]))
            continue
        missing.append(name)
        near = process.extractOne(
            product_key(name), list(by_key), scorer=fuzz.ratio, score_cutoff=CLOSEST_SCORE
        )
        if near:
            closest[name] = by_key[near[0]]
    return Overlap(
        key=_column_of(ins, "product"),
        source=ins.name,
        target=_names(products),
        matched=len(named) - len(missing),
        total=len(named),
        what="product names",
        loose=tuple(loose),
        unmatched=tuple(missing),
        closest=closest,
    )


def _history_overlap(con, ins, deals) -> Overlap:
    known = " union all ".join(_accepted(d, "deal_id") for d in deals)
    rows = f"select distinct cast(v as varchar) as v from ({_accepted(ins, 'deal_id')})"
    with_ids = f"select cast(v as varchar) as v from ({known})"
    total = int(warehouse.scalar(con, f"select count(v) from ({rows})"))
    missing = con.execute(
        f"select v from ({rows}) where v is not null and v not in"
        f" (select v from ({with_ids}) where v is not null) order by v"
    ).fetchall()
    return Overlap(
        key=_column_of(ins, "deal_id"),
        source=ins.name,
        target=_names(deals),
        matched=total - len(missing),
        total=total,
        what="deals in the history",
        unmatched=tuple(m[0] for m in missing),
    )


# What a row of one file may name in another: reference table -> its key fields.
REFERENCE_KEYS = {"owners": ("owner",), "products": ("product",), "accounts": ("account_name",)}
# Fields a file naming people, products or accounts may have left unmapped.
REFERRING_FIELDS = ("owner", "product", "account_name", "account_id")


def shared_values(
    con: duckdb.DuckDBPyConnection,
    inspections: Sequence[loader.Inspection],
    besides: loader.Inspection,
) -> dict[str, set[str]]:
    """The key values of the batch's other reference files, {their column: its values}, for
    helper `meaning`'s hook (loader.inspect(shared=...)): a deals column holding the names of
    a teams file's `sales_agent` is read as the owner."""
    out: dict[str, set[str]] = {}
    for ins in inspections:
        if ins is besides or ins.conversion is None:
            continue
        for name in REFERENCE_KEYS.get(ins.mapping.table, ()):
            if not ins.mapping.source(name):
                continue
            values = {str(v).strip() for v in _accepted_values(con, ins, name) if v is not None}
            out.setdefault(_column_of(ins, name), set()).update(values)
    return out


def needs_shared(ins: loader.Inspection) -> bool:
    """A file that may name another file's people, products or accounts in a column its
    headers did not give away (a deals file's `rep`): worth a second look with shared values."""
    if ins.mapping.table in REFERENCE_KEYS and ins.mapping.table != "accounts":
        return False
    if ins.mapping.table is None or ins.conversion is None:
        return True
    fields = {f.name for f in _fields(ins.mapping.table)}
    return any(f in fields and not ins.mapping.source(f) for f in REFERRING_FIELDS)


def _fields(table: str):
    from dashboard.ingest.fields import TABLES

    return TABLES.get(table, ())


def with_shared(
    con: duckdb.DuckDBPyConnection,
    inspections: list[loader.Inspection],
    inspect_again: Callable[[loader.Inspection, dict[str, set[str]]], loader.Inspection],
) -> list[loader.Inspection]:
    """Inspect again, with the other files' key values, each file that may name them without
    saying so in its headers; keep the new reading when it maps more fields (the old one is
    closed). `inspect_again(old, shared)` repeats the file's inspection with the same choices."""
    out = list(inspections)
    for n, ins in enumerate(inspections):
        if not needs_shared(ins):
            continue
        shared = shared_values(con, out, ins)
        if not shared:
            continue
        if ins.profiles is not None and not shared_names(ins.staged.headers, ins.profiles, shared):
            # No column of the file shares values with the others: the guess would be the
            # same, so the file is not read and converted again (a 900 MB activities file).
            continue
        try:
            again = inspect_again(ins, shared)
        except ImportProblem:
            continue  # the first reading stands
        if _mapped(again) > _mapped(ins):
            loader.close(con, ins)
            out[n] = again
        else:
            loader.close(con, again)
    return out


def _mapped(ins: loader.Inspection) -> int:
    if ins.mapping.table is None or ins.conversion is None:
        return -1
    return sum(1 for choice in ins.mapping.fields.values() if choice.source)


def prepare(
    con: duckdb.DuckDBPyConnection, inspections: Sequence[loader.Inspection]
) -> tuple[list[loader.Inspection], list[Overlap]]:
    """Order the batch, link its rows to its accounts, and measure the key overlap: what the
    page and `import --dry-run` show before anything loads."""
    ordered = in_load_order(inspections)
    link_accounts(con, ordered)
    return ordered, overlaps(con, ordered)


def commit_all(
    con: duckdb.DuckDBPyConnection,
    inspections: Sequence[loader.Inspection],
    *,
    all_or_nothing: bool = False,
    remove_sample: bool = False,
    user: str | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> list[loader.LoadResult]:
    """Load the batch (already prepared, in load order): one load per file, all in one
    transaction. A file that cannot load stops the batch before anything is written."""
    step = progress or (lambda fraction, text: None)
    parts, results = [], {}
    for n, ins in enumerate(inspections):
        step(n / max(1, len(inspections)) * 0.3, f"checking {ins.name}")
        ready = loader.load_parts(con, ins, all_or_nothing=all_or_nothing, user=user)
        if ready is None:
            results[n] = loader.already_loaded(ins)
        else:
            parts.append((n, ready))
    if not parts:
        return [results[n] for n in range(len(inspections))]
    step(0.3, "writing rows")
    replaced_sample = loader.sample_loads(con) if remove_sample else []
    load_ids = _load_new_files(con, inspections, parts, results, replaced_sample)
    for k, ((n, _), load_id) in enumerate(zip(parts, load_ids, strict=True)):
        loader.keep_file(con, inspections[n], load_id)
        results[n] = loader.loaded(inspections[n], load_id, bool(replaced_sample) and k == 0)
    step(1.0, "done")
    return [results[n] for n in range(len(inspections))]


def _load_new_files(
    con: duckdb.DuckDBPyConnection,
    inspections: Sequence[loader.Inspection],
    parts: list,
    results: dict,
    replaced_sample: list[int],
) -> list[int]:
    """Load `parts` in one transaction; a file someone loaded since the inspection (found
    inside the transaction) is dropped from `parts` as already loaded and the rest tried
    again."""
    while parts:
        try:
            return warehouse.load_batch(con, [p for _, p in parts], undoing=replaced_sample)
        except warehouse.AlreadyLoaded as exc:
            n, _ = parts.pop(exc.index)
            inspections[n].already_loaded_as = exc.load_id
            results[n] = loader.already_loaded(inspections[n])
        except duckdb.Error as exc:
            names = ", ".join(i.name for i in inspections)
            raise ImportProblem(
                f"Loading {names} together failed, so none of them was loaded: {plain_reason(exc)}."
            ) from exc
    return []


def options_for(
    name: str, names: Sequence[str], tables: Sequence[str], overrides: dict[str, str]
) -> tuple[str | None, dict[str, str]]:
    """The command line's --table and --map for one file of several. `--table TABLE` and
    `--map FIELD=COLUMN` apply to every file; `--table FILE=TABLE` and
    `--map FILE:FIELD=COLUMN` (FILE = a file name as given, without its folder) to that file."""
    from dashboard.ingest.fields import TABLES

    chosen = None
    for item in tables:
        file, sep, table = item.rpartition("=")
        if sep and file not in names:
            raise ImportProblem(
                f"--table {item!r} names {file!r}, which is not one of the files: "
                f"{', '.join(names)}."
            )
        if table not in TABLES:
            raise ImportProblem(f"--table {item!r}: the table must be one of {', '.join(TABLES)}.")
        if not sep or file == name:
            chosen = table
    mine = {}
    for key, column in overrides.items():
        file, sep, target = key.partition(":")
        if sep and file in names:
            if file == name:
                mine[target] = column
        else:
            mine[key] = column
    return chosen, mine
