"""A file's stages never reorder another load's pipeline (issue 21, point 13): a 4-row deals
import kept beside the sample used to move the sample's Proposal from step 4 to step 1."""

from __future__ import annotations

from dashboard.ingest import loader
from dashboard.store import warehouse
from tests.conftest import frame

# The sample's Sales Pipeline as sample_data/generate.py writes it.
SAMPLE_STAGES = frame(
    "pipeline stage stage_order status",
    [
        ("Sales Pipeline", "Prospecting", 1, "open"),
        ("Sales Pipeline", "Qualification", 2, "open"),
        ("Sales Pipeline", "Needs Analysis", 3, "open"),
        ("Sales Pipeline", "Proposal", 4, "open"),
        ("Sales Pipeline", "Negotiation", 5, "open"),
        ("Sales Pipeline", "Closed Won", 6, "won"),
        ("Sales Pipeline", "Closed Lost", 7, "lost"),
    ],
)
FOUR_DEALS = (
    b"deal_id,pipeline,stage,amount,created_at\n"
    b"U1,Sales Pipeline,Proposal,100,2025-01-05\n"
    b"U2,Sales Pipeline,Won,200,2025-01-06\n"
    b"U3,Sales Pipeline,Closed Lost,50,2025-01-07\n"
    b"U4,Sales Pipeline,Proposal,80,2025-01-08\n"
)


def _steps(con, pipeline: str) -> list[tuple[int, str]]:
    return con.execute(
        "select distinct step_number, step_name from summary_funnel_pipeline_steps"
        " where pipeline = $p order by step_number, step_name",
        {"p": pipeline},
    ).fetchall()


def _orders(con, pipeline: str) -> dict[str, int]:
    rows = con.execute(
        "select stage, stage_order from pipeline_stages where pipeline = $p", {"p": pipeline}
    ).fetchall()
    return dict(rows)


def _import(con, data: bytes, name: str) -> int:
    inspection = loader.inspect(con, data, name, table="deals")
    try:
        return loader.commit(con, inspection, remove_sample=False).load_id
    finally:
        loader.close(con, inspection)


def test_a_kept_sample_keeps_its_stage_order_after_a_small_import(con):
    warehouse.load_frames(con, {"pipeline_stages": SAMPLE_STAGES}, source="sample", is_sample=True)
    before = _steps(con, "Sales Pipeline")
    # By hand: the five open stages 1..5, then the won step 6 named "Closed Won".
    assert before == [
        (1, "Prospecting"),
        (2, "Qualification"),
        (3, "Needs Analysis"),
        (4, "Proposal"),
        (5, "Negotiation"),
        (6, "Closed Won"),
    ]
    load_id = _import(con, FOUR_DEALS, "four.csv")
    assert load_id is not None
    # The file knows Proposal, Won and Closed Lost. Proposal and Closed Lost are the sample's
    # already: their orders stay (4 and 7). Won is new: appended after the last known order
    # (7 + 1 = 8); as a won stage it joins the won step, still named after the first won
    # stage by order ("Closed Won"), so the funnel is exactly the sample's.
    orders = _orders(con, "Sales Pipeline")
    assert orders["Proposal"] == 4
    assert orders["Closed Lost"] == 7
    assert orders["Won"] == 8
    assert _steps(con, "Sales Pipeline") == before
    assert _steps(con, "Sales Pipeline")[0] == (1, "Prospecting")


def test_a_second_file_appends_new_stages_without_reordering_the_first(con):
    first = b"deal_id,stage\nA1,Prospecting\nA2,Proposal\nA3,Won\nA4,Lost\n"  # pipeline "Pipeline"
    _import(con, first, "first.csv")
    known = _orders(con, "Pipeline")
    # By hand: the vocabulary orders Prospecting (1) -> Proposal (2) -> Won (3), Lost (4).
    assert [s for s, _ in sorted(known.items(), key=lambda kv: kv[1])] == [
        "Prospecting",
        "Proposal",
        "Won",
        "Lost",
    ]
    # The second file holds Proposal and Demo, a stage the vocabulary does not know: alone it
    # would be ordered Proposal 1, Demo 2. Proposal keeps its order (2) and Demo is appended
    # after the highest known order (4 + 1 = 5).
    second = b"deal_id,stage\nB1,Demo\nB2,Proposal\nB3,Demo\n"
    _import(con, second, "second.csv")
    after = _orders(con, "Pipeline")
    assert {s: after[s] for s in known} == known
    assert after["Demo"] == 5


def test_a_new_pipeline_is_ordered_by_its_own_file(con):
    warehouse.load_frames(con, {"pipeline_stages": SAMPLE_STAGES}, source="sample", is_sample=True)
    data = (
        b"deal_id,pipeline,stage\nP1,Partners,Proposal\nP2,Partners,Prospecting\nP3,Partners,Won\n"
    )
    _import(con, data, "partners.csv")
    # By hand: the file's own order (vocabulary): Prospecting 1, Proposal 2, then the won step.
    assert _steps(con, "Partners") == [(1, "Prospecting"), (2, "Proposal"), (3, "Won")]
