"""What the stages in a deals export mean: label, open/won/lost, and place in the pipeline.

From the CRM's defaults, words such as won/lost/closed, probability, and the stages the
pipeline already has in the warehouse; the import page lets the user change all of it.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from dashboard.ingest import formats
from dashboard.ingest.files import RawTable
from dashboard.ingest.mapping import Mapping
from dashboard.ingest.vendors import (
    DEFAULT_PIPELINE,
    DEFAULT_STAGES,
    HUBSPOT_STAGE_IDS,
    Recognition,
    StageDefault,
    status_from_words,
)


def label(stage: str) -> str:
    return HUBSPOT_STAGE_IDS.get(stage.strip().lower(), stage.strip())


def guess(
    con: duckdb.DuckDBPyConnection, raw: RawTable, m: Mapping, vendor: Recognition
) -> pd.DataFrame:
    """Each stage in the file: its label, status and place in the pipeline, with reasons."""
    stage_col = raw.columns[m.source("stage").columns[0]]
    prob = "null"
    if m.source("probability"):
        c = raw.columns[m.source("probability").columns[0]]
        prob = f"avg({formats.number_sql(c, '.')})"
    found = con.execute(
        f"select trim({stage_col}) as raw_stage, count(*) as deals,"
        f" {prob} as probability from {raw.table} where nullif(trim({stage_col}), '') is not null"
        " group by 1 order by 2 desc"
    ).df()
    for entry in m.stage_entries:
        if label(entry.stage) not in set(found["raw_stage"].map(label)):
            found.loc[len(found)] = [entry.stage, 0, None]
    # Stages this pipeline already has keep their place, so files loaded one after another
    # build one consistent order.
    known = _known_stages(con, raw, m, vendor)
    for stage in known:
        if stage not in set(found["raw_stage"].map(label)):
            found.loc[len(found)] = [stage, 0, known[stage][2]]
    defaults = {d.stage.casefold(): d for d in DEFAULT_STAGES.get(vendor.vendor, ())}
    rows = []
    for rec in found.itertuples(index=False):
        name = label(rec.raw_stage)
        default = defaults.get(name.casefold())
        if default is None and name in known:
            place, status, _ = known[name]
            default = StageDefault(name, place, status)
        # A stage's meaning comes from the CRM's defaults or its words, never from the deal's
        # status column: in Pipedrive a won deal keeps the stage it was won from.
        status = (
            (default.status if default else None)
            or status_from_words(name)
            or ("lost" if "closed" in name.lower() else "open")
        )
        rows.append(
            {
                "raw_stage": rec.raw_stage,
                "stage": name,
                "status": status,
                "default_order": default.order if default else None,
                "probability": rec.probability,
                "deals": int(rec.deals),
            }
        )
    return order(with_final(pd.DataFrame(rows)))


def _known_stages(
    con: duckdb.DuckDBPyConnection, raw: RawTable, m: Mapping, vendor: Recognition
) -> dict:
    """stage -> (order, status, probability) already stored for the file's pipelines, from the
    user's own loads."""
    pipelines = [DEFAULT_PIPELINE[vendor.vendor]]
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
        }
        for label, status in (("Won", "won"), ("Lost", "lost"))
        if frame.empty or not (frame["status"] == status).any()
    ]
    return pd.concat([frame, pd.DataFrame(extra)], ignore_index=True) if extra else frame


def order(frame: pd.DataFrame) -> pd.DataFrame:
    """Open stages by vendor order, then probability, then size; won next; lost last."""
    frame = frame.copy()
    rank = {"open": 0, "won": 1, "lost": 2}
    frame["_status_rank"] = frame["status"].map(rank).fillna(0)
    frame["_default"] = pd.to_numeric(frame.get("default_order"), errors="coerce").fillna(999)
    frame["_prob"] = pd.to_numeric(frame.get("probability"), errors="coerce").fillna(-1)
    frame = frame.sort_values(
        ["_status_rank", "_default", "_prob", "deals"],
        ascending=[True, True, True, False],
        kind="stable",
    )
    labels = frame.drop_duplicates("stage")["stage"].tolist()
    frame["stage_order"] = frame["stage"].map({s: i for i, s in enumerate(labels, 1)})
    frame["probability"] = pd.to_numeric(frame["probability"], errors="coerce")
    return frame[
        ["raw_stage", "stage", "status", "stage_order", "probability", "deals"]
    ].reset_index(drop=True)
