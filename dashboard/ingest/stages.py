"""What the stages in a deals export mean: label, open/won/lost, and place in the pipeline.

A stage's status comes from the CRM's defaults, then the stages this pipeline already has in the
warehouse, then its words (won/lost in several languages); the export's closed/won flags decide
only stages still unknown after that. Its place comes from the CRM's defaults, then a known
vocabulary (prospecting -> qualification -> discovery -> proposal -> negotiation), then
probability, then the order stages first appear in the file: never from how many deals a stage
holds. Every inferred order is reported for confirmation; the import page and the command line
(`--stage`, `--stage-order`) let the user change all of it.
"""

from __future__ import annotations

import re

import duckdb
import pandas as pd

from dashboard.ingest import formats
from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.files import RawTable
from dashboard.ingest.mapping import Mapping
from dashboard.ingest.vendors import (
    BITRIX_CATEGORY,
    DEFAULT_PIPELINE,
    DEFAULT_STAGES,
    HUBSPOT_STAGE_IDS,
    Recognition,
    StageDefault,
    status_from_words,
    status_of_value,
    words_of,
)

STATUSES = ("open", "won", "lost")
COLUMNS = [
    "raw_stage",  # the cell as written in the file (None: a stage the file does not hold)
    "stage",  # the label stored
    "status",  # open / won / lost
    "stage_order",  # 1.. pipeline order
    "probability",
    "deals",  # deals in the file
    "by_flags",  # the status is unknown from the stage: each row's IsWon/IsClosed decides
    "status_from",  # crm / known / words / status column / flags / guess / chosen
    "order_from",  # crm / known / words / probability / file / chosen
]
# How far along the pipeline a word puts a stage, when the CRM's defaults do not say.
ORDER_WORDS = {
    1: "prospecting prospect prospects prospection prospeccion prospeccao lead leads new"
    " nouveau nouvelle neu neuer nuevo nueva novo nova новая новый лид appointment interessent",
    2: "qualification qualified qualify qualifying qualifie qualifiee qualifizierung"
    " qualifiziert calificacion calificado cualificado qualificacao qualificado квалификация",
    3: "engaging engaged engage engagement discovery needs analysis demo demonstration"
    " presentation meeting contact contacted bedarfsanalyse analyse descubrimiento reunion"
    " reuniao presentacion apresentacao встреча презентация",
    4: "proposal proposals quote quotation offer proposition devis angebot propuesta"
    " cotizacion proposta orcamento предложение",
    5: "negotiation negotiations negotiating contract contracting commit negociation contrat"
    " verhandlung vertrag negociacion contrato negociacao переговоры договор",
}
_BITRIX_ID = re.compile(r"(C\d+:)?[A-Z][A-Z_]+")
_RANK = {word: rank for rank, words in ORDER_WORDS.items() for word in words.split()}
ORDER_SOURCES = {
    "words": "stage names",
    "probability": "probability",
    "file": "the order stages first appear in the file",
}


def label(stage: str) -> str:
    return HUBSPOT_STAGE_IDS.get(stage.strip().lower(), stage.strip())


def stage_key(name: str) -> str:
    """What stage names are compared by: words only, any case, `C6:` pipeline prefix dropped."""
    return " ".join(words_of(BITRIX_CATEGORY.sub("", str(name).strip())))


def vocabulary_rank(name: str) -> int | None:
    """1 (prospecting) .. 5 (negotiation) from the stage's words, None when none is known."""
    ranks = [_RANK[w] for w in words_of(name) if w in _RANK]
    return max(ranks) if ranks else None


def crm_default(name: str, vendor: str) -> StageDefault | None:
    """The CRM's own meaning and place for a stage. Bitrix24's stage ids (`C6:WON`) and Russian
    default names are unmistakable, so they count whoever was recognised."""
    key = stage_key(name)
    sources = [vendor]
    if vendor != "bitrix24" and _looks_bitrix(str(name).strip()):
        sources.append("bitrix24")
    for source in sources:
        for default in DEFAULT_STAGES.get(source, ()):
            if stage_key(default.stage) == key:
                return default
    return None


def _looks_bitrix(name: str) -> bool:
    return bool(_BITRIX_ID.fullmatch(name)) or any("\u0400" <= ch <= "\u04ff" for ch in name)


def guess(
    con: duckdb.DuckDBPyConnection, raw: RawTable, m: Mapping, vendor: Recognition
) -> pd.DataFrame:
    """Each stage in the file: its label, status and place in the pipeline, with reasons."""
    found = _found(con, raw, m)
    for entry in m.stage_entries:
        if label(entry.stage) not in set(found["raw_stage"].map(label)):
            found.loc[len(found)] = [entry.stage, 0, None, None, 0, 0, 0]
    # Stages this pipeline already has keep their place, so files loaded one after another
    # build one consistent order.
    known = _known_stages(con, raw, m, vendor)
    for stage in known:
        if stage not in set(found["raw_stage"].map(label)):
            found.loc[len(found)] = [stage, 0, known[stage][2], None, 0, 0, 0]
    said = _status_column_says(con, raw, m, vendor.vendor)
    rows = [_meaning(rec, vendor.vendor, known, said) for rec in found.itertuples(index=False)]
    return order(with_final(pd.DataFrame(rows)))


def _status_column_says(
    con: duckdb.DuckDBPyConnection, raw: RawTable, m: Mapping, vendor: str
) -> dict[str, str]:
    """stage -> the status most of its deals' status column says (Close's 'Signed' is won by
    its status_type), for stages whose own name does not say."""
    if not (m.source("status") and m.source("stage")):
        return {}
    stage_col = raw.columns[m.source("stage").columns[0]]
    status_col = raw.columns[m.source("status").columns[0]]
    counts: dict[str, dict[str, int]] = {}
    for stage, value, n in con.execute(
        f"select trim({stage_col}), trim({status_col}), count(*) from {raw.table}"
        f" where nullif(trim({stage_col}), '') is not null group by all limit 10000"
    ).fetchall():
        status = status_of_value(value, vendor)
        if status is not None:
            per = counts.setdefault(stage, {})
            per[status] = per.get(status, 0) + n
    return {stage: max(per, key=per.get) for stage, per in counts.items()}


def _found(con: duckdb.DuckDBPyConnection, raw: RawTable, m: Mapping) -> pd.DataFrame:
    """The file's stages in first-seen order: deals, mean probability, rows each flag calls
    won, lost (closed, not won) and open (not closed)."""
    stage_col = raw.columns[m.source("stage").columns[0]]
    prob = "null"
    if m.source("probability"):
        c = raw.columns[m.source("probability").columns[0]]
        prob = f"avg({formats.number_sql(c, '.')})"
    won = closed = "null"
    if m.source("is_won"):
        won = formats.bool_sql(raw.columns[m.source("is_won").columns[0]])
    if m.source("is_closed"):
        closed = formats.bool_sql(raw.columns[m.source("is_closed").columns[0]])
    return con.execute(
        f"select trim({stage_col}) as raw_stage, count(*) as deals, {prob} as probability,"
        " min(rowid) as first_seen,"
        f" count(*) filter (where {won}) as flag_won,"
        f" count(*) filter (where {closed} and not coalesce({won}, false)) as flag_lost,"
        f" count(*) filter (where not {closed} and not coalesce({won}, false)) as flag_open"
        f" from {raw.table} where nullif(trim({stage_col}), '') is not null"
        " group by 1 order by first_seen"
    ).df()


def _meaning(rec, vendor: str, known: dict, said: dict[str, str] | None = None) -> dict:
    """One stage's row: status and where it came from, default place."""
    name = label(rec.raw_stage)
    default = crm_default(name, vendor)
    place, status, by_flags = None, None, False
    if default is not None:
        place, status, source = default.order, default.status, "crm"
    elif name in known:
        place, status, _ = known[name]
        source = "known"
    if status is None:
        status, source = status_from_words(name), "words"
    if status is None and (said or {}).get(rec.raw_stage):
        status, source = said[rec.raw_stage], "status column"
    flags = {"won": rec.flag_won, "lost": rec.flag_lost, "open": rec.flag_open}
    if status is None and sum(flags.values()):
        # Unknown from the stage: each row's flags decide; the grid shows the most common.
        status = max(("open", "won", "lost"), key=lambda s: flags[s])
        source, by_flags = "flags", True
    if status is None:
        status = "lost" if "closed" in words_of(name) else "open"
        source = "guess"
    return {
        "raw_stage": rec.raw_stage,
        "stage": name,
        "status": status,
        "default_order": place,
        "order_from": source if place is not None else None,
        "probability": rec.probability,
        "deals": int(rec.deals),
        "first_seen": rec.first_seen,
        "by_flags": by_flags,
        "status_from": source,
    }


def _known_stages(
    con: duckdb.DuckDBPyConnection, raw: RawTable, m: Mapping, vendor: Recognition
) -> dict:
    """stage -> (order, status, probability) already stored for the file's pipelines, from the
    user's own loads."""
    pipelines = [DEFAULT_PIPELINE.get(vendor.vendor, DEFAULT_PIPELINE["generic"])]
    source = m.source("pipeline")
    if source:
        column = raw.columns[source.columns[0]]
        pipelines += [
            r[0]
            for r in con.execute(
                f"select distinct trim({column}) from {raw.table} where {column} is not null"
                " limit 100"
            ).fetchall()
        ]
    rows = con.execute(
        "select stage, min(stage_order), any_value(status), avg(probability)"
        " from pipeline_stages where list_contains($pipelines, pipeline)"
        # the sample's stages are not the user's, even when a pipeline name matches
        " and load_id not in (select load_id from loads where is_sample) group by stage",
        {"pipelines": pipelines},
    ).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def with_final(frame: pd.DataFrame) -> pd.DataFrame:
    """A pipeline always ends in a won and a lost stage, even when the CRM keeps those in a
    status column (Pipedrive, Dynamics): add them when the file has none."""
    extra = [
        {
            "raw_stage": None,
            "stage": label,
            "status": status,
            "default_order": None,
            "probability": None,
            "deals": 0,
            "status_from": "crm",
        }
        for label, status in (("Won", "won"), ("Lost", "lost"))
        if frame.empty or not (frame["status"] == status).any()
    ]
    return pd.concat([frame, pd.DataFrame(extra)], ignore_index=True) if extra else frame


def complete(frame: pd.DataFrame) -> pd.DataFrame:
    """A stage map with every column, whoever built it (an older page state, a test)."""
    frame = frame.copy()
    fill = {"by_flags": False, "status_from": "chosen", "order_from": "chosen", "deals": 0}
    for column in COLUMNS:
        if column not in frame.columns:
            frame[column] = fill.get(column)
    frame["status_from"] = frame["status_from"].fillna("chosen")
    frame["by_flags"] = frame["by_flags"].fillna(False).astype(bool)
    return frame


def settled(frame: pd.DataFrame) -> pd.DataFrame:
    """A chosen stage map made whole again: the stand-in Won/Lost stages go once a stage of the
    file means won/lost, come back when none does; orders renumbered 1.. in the same order."""
    frame = complete(frame)
    real = set(frame.loc[frame["raw_stage"].notna(), "status"])
    frame = frame[frame["raw_stage"].notna() | ~frame["status"].isin(real)]
    frame = with_final(frame.drop(columns=["default_order"], errors="ignore"))
    frame = complete(frame)
    last = pd.to_numeric(frame["stage_order"], errors="coerce")
    frame["_order"] = last.fillna(last.max() if last.notna().any() else 0) + last.isna() * (
        frame["status"].map({"won": 1, "lost": 2}).fillna(0)
    )
    frame = frame.sort_values("_order", kind="stable")
    labels = frame.drop_duplicates("stage")["stage"].tolist()
    frame["stage_order"] = frame["stage"].map({s: i for i, s in enumerate(labels, 1)})
    return frame[COLUMNS].reset_index(drop=True)


def order(frame: pd.DataFrame) -> pd.DataFrame:
    """Open stages, won next, lost last; within each, the CRM's place, then the vocabulary's
    (placed among the CRM's stages by their own words), then probability, then first seen."""
    frame = frame.copy().reset_index(drop=True)
    for column, value in (("default_order", None), ("order_from", None), ("first_seen", None)):
        if column not in frame.columns:
            frame[column] = value
    frame["_status_rank"] = frame["status"].map({"open": 0, "won": 1, "lost": 2}).fillna(0)
    default = pd.to_numeric(frame["default_order"], errors="coerce")
    vocab = frame["stage"].map(vocabulary_rank)
    key = default.copy()
    for i in frame.index[default.isna() & vocab.notna()]:
        # After the CRM stages whose own words rank no later than this stage's words.
        before = default[vocab.notna() & default.notna() & (vocab <= vocab[i])]
        key[i] = (before.max() if len(before) else 0) + 0.5 + vocab[i] / 100
        frame.loc[i, "order_from"] = "words"
    frame["_unplaced"] = key.isna()
    frame["_key"] = key.fillna(0)
    probability = pd.to_numeric(frame["probability"], errors="coerce")
    frame["_no_prob"] = probability.isna()
    frame["_prob"] = probability.fillna(0)
    unplaced = frame["order_from"].isna()
    frame.loc[unplaced, "order_from"] = probability[unplaced].map(
        lambda p: "file" if pd.isna(p) else "probability"
    )
    frame["_seen"] = pd.to_numeric(frame["first_seen"], errors="coerce").fillna(float("inf"))
    frame = frame.sort_values(
        ["_status_rank", "_unplaced", "_key", "_no_prob", "_prob", "_seen"], kind="stable"
    )
    labels = frame.drop_duplicates("stage")["stage"].tolist()
    frame["stage_order"] = frame["stage"].map({s: i for i, s in enumerate(labels, 1)})
    frame["probability"] = pd.to_numeric(frame["probability"], errors="coerce")
    return complete(frame)[COLUMNS].reset_index(drop=True)


def order_note(frame: pd.DataFrame) -> str | None:
    """The sentence that shows an inferred order for confirmation, or None when the CRM's
    defaults, earlier loads or the user placed every open stage."""
    stages = frame.sort_values("stage_order", kind="stable").drop_duplicates("stage")
    open_stages = stages[stages["status"] == "open"]
    inferred = open_stages[~open_stages["order_from"].isin(["crm", "known", "chosen"])]
    if len(open_stages) < 2 or inferred.empty:
        return None
    how = [ORDER_SOURCES[s] for s in ORDER_SOURCES if s in set(inferred["order_from"])]
    path = " → ".join(stages.loc[stages["status"] != "lost", "stage"])
    lost = ", ".join(stages.loc[stages["status"] == "lost", "stage"])
    return (
        f"stage order inferred from {' and '.join(how)}: {path}"
        + (f", then {lost}" if lost else "")
        + "; change it with --stage-order 'A,B,C' (on the page: the Order column of the stage"
        " grid)"
    )


def status_note(frame: pd.DataFrame) -> str | None:
    """When no stage in the file reads as won, the hint a user gives: which one is."""
    in_file = frame[frame["raw_stage"].notna()]
    if in_file.empty or (in_file["status"] == "won").any():
        return None
    names = ", ".join(f"'{s}'" for s in in_file.drop_duplicates("stage")["stage"])
    return (
        f"no stage in the file reads as won ({names}); if one is a win, say so with "
        "--stage 'NAME=won' (on the page: the Means column of the stage grid)"
    )


def choose(
    frame: pd.DataFrame, statuses: dict[str, str], stage_order: list[str], file: str
) -> pd.DataFrame:
    """The stage map with the user's choices: `statuses` {stage: open/won/lost} and an order
    (stages named first, in that order; the others keep theirs after them)."""
    frame = complete(frame)
    for name, status in statuses.items():
        if status not in STATUSES:
            raise ImportProblem(
                f"--stage '{name}={status}': a stage means won, lost or open, not {status!r}.",
                file=file,
            )
        rows = _rows_named(frame, name, "--stage", file)
        frame.loc[rows, "status"] = status
        frame.loc[rows, "status_from"] = "chosen"
        frame.loc[rows, "by_flags"] = False
    if stage_order:
        rank = {}
        for i, name in enumerate(stage_order):
            for row in frame.index[_rows_named(frame, name, "--stage-order", file)]:
                rank.setdefault(frame.loc[row, "stage"], i)
        after = len(stage_order) + frame["stage_order"]
        frame["_rank"] = frame["stage"].map(rank).fillna(after)
        frame = frame.sort_values(["_rank", "stage_order"], kind="stable")
        labels = frame.drop_duplicates("stage")["stage"].tolist()
        frame["stage_order"] = frame["stage"].map({s: i for i, s in enumerate(labels, 1)})
        frame["order_from"] = "chosen"
    return settled(frame[COLUMNS])


def _named(frame: pd.DataFrame, name: str) -> pd.Series:
    """The rows of a stage map that a user's stage name means (its label or its raw cell)."""
    key = stage_key(name)
    return frame["stage"].map(stage_key).eq(key) | frame["raw_stage"].map(
        lambda s: s is not None and not pd.isna(s) and stage_key(s) == key
    )


def _stage_names(frame: pd.DataFrame) -> str:
    return ", ".join(f"'{s}'" for s in frame.drop_duplicates("stage")["stage"])


def choices_per_file(
    maps: dict[str, pd.DataFrame], statuses: dict[str, str], stage_order: list[str]
) -> dict[str, tuple[dict[str, str], list[str]]]:
    """Several deals files: each --stage and --stage-order name goes to the files whose stages
    hold it ({file: (statuses, order)}, files no name concerns left out); a name no file holds
    is refused in one sentence listing every deals file's stages."""
    if len(maps) == 1:  # one file: choose() refuses a name it lacks, naming its stages
        (file,) = maps
        return {file: (dict(statuses), list(stage_order))}
    named = [("--stage", n) for n in statuses] + [("--stage-order", n) for n in stage_order]
    for option, name in named:
        if not any(_named(frame, name).any() for frame in maps.values()):
            listed = "; ".join(f"{file}: {_stage_names(frame)}" for file, frame in maps.items())
            raise ImportProblem(
                f"{option} names {name!r}, which is not a stage of any deals file (their stages"
                f" are {listed}); name a stage one of them holds."
            )
    out = {}
    for file, frame in maps.items():
        mine = {n: s for n, s in statuses.items() if _named(frame, n).any()}
        order = [n for n in stage_order if _named(frame, n).any()]
        if mine or order:
            out[file] = (mine, order)
    return out


def _rows_named(frame: pd.DataFrame, name: str, option: str, file: str) -> pd.Series:
    rows = _named(frame, name)
    if not rows.any():
        names = ", ".join(f"'{s}'" for s in frame.drop_duplicates("stage")["stage"])
        raise ImportProblem(
            f"{option} names {name!r}, which is not a stage of {file}; its stages are {names}.",
            file=file,
        )
    return rows
