"""Stage order: the CRM's defaults, a known vocabulary, probability, then first seen; never by
deal counts; an inferred order is shown; `--stage` and `--stage-order` do what the page's
stage grid does (issue 17, point 4)."""

from pathlib import Path

import pandas as pd
import pytest

from dashboard import cli
from dashboard.ingest import loader, stages
from dashboard.ingest.errors import ImportProblem
from dashboard.store import warehouse

REAL = Path(__file__).parent / "real_exports"
PIPELINE = REAL / "maven-crm" / "sales_pipeline.csv"
BITRIX_RU = REAL / "bitrix24" / "DEAL_20230601.csv"


def stage_map(con, source, name, **options) -> tuple[pd.DataFrame, list[str]]:
    inspection = loader.inspect(con, source, name, **options)
    try:
        frame = inspection.conversion.stage_map.sort_values("stage_order")
        return frame.drop_duplicates("stage"), inspection.notes
    finally:
        loader.close(con, inspection)


def test_four_file_crm_pipeline_follows_the_vocabulary_not_the_counts(con):
    # 4 Won, 4 Lost, 3 Engaging, 3 Prospecting (by hand from the file): counts would put
    # Engaging first; the words say Prospecting (1) -> Engaging (3); Won next, Lost last.
    frame, notes = stage_map(con, PIPELINE, PIPELINE.name, overrides={"stage": "deal_stage"})
    assert frame["stage"].tolist() == ["Prospecting", "Engaging", "Won", "Lost"]
    assert frame["stage_order"].tolist() == [1, 2, 3, 4]
    assert (
        "stage order inferred from stage names: Prospecting → Engaging → Won, then Lost;"
        " change it with --stage-order" in " ".join(notes)
    )


def test_more_deals_never_move_a_stage_earlier(con):
    # Negotiation holds 3 deals, Qualified 1, Lead 1: order by words, not by size.
    data = (
        b"Id,Stage\n1,Negotiation\n2,Negotiation\n3,Negotiation\n4,Qualified\n5,Lead\n"
        b"6,Proposal sent\n7,Won\n"
    )
    frame, _ = stage_map(con, data, "d.csv", table="deals")
    assert frame["stage"].tolist()[:5] == [
        "Lead",
        "Qualified",
        "Proposal sent",
        "Negotiation",
        "Won",
    ]


def test_probability_then_first_seen_when_words_say_nothing(con):
    # No word known: 'Gamma' (80%) after 'Alpha' (20%); 'Zeta' and 'Eta' have no probability
    # and keep the order they first appear in (Zeta before Eta), after the others.
    data = b"Id,Stage,Probability\n1,Gamma,80\n2,Zeta,\n3,Alpha,20\n4,Eta,\n5,Eta,\n6,Eta,\n"
    frame, notes = stage_map(con, data, "d.csv", table="deals")
    assert frame.loc[frame["status"] == "open", "stage"].tolist() == [
        "Alpha",
        "Gamma",
        "Zeta",
        "Eta",
    ]
    assert "inferred from probability and the order stages first appear in the file" in " ".join(
        notes
    )


def test_custom_stage_is_placed_among_the_crm_defaults_by_its_words():
    frame = pd.DataFrame(
        [
            {"raw_stage": s, "stage": s, "status": st, "default_order": d, "probability": None,
             "deals": 1, "first_seen": i}
            for i, (s, st, d) in enumerate(
                [("Negotiation/Review", "open", 8), ("Discovery", "open", None),
                 ("Prospecting", "open", 1), ("Qualification", "open", 2),
                 ("Closed Won", "won", 9)]
            )
        ]
    )  # fmt: skip
    ordered = stages.order(frame)
    assert ordered["stage"].tolist() == [
        "Prospecting",
        "Qualification",
        "Discovery",
        "Negotiation/Review",
        "Closed Won",
    ]
    assert stages.order_note(ordered).startswith("stage order inferred from stage names")


def test_crm_default_order_needs_no_confirmation(con):
    data = b"Id,StageName\n1,Negotiation/Review\n2,Prospecting\n3,Closed Won\n"
    frame, notes = stage_map(con, data, "o.csv", vendor="salesforce", table="deals")
    assert frame["stage"].tolist()[:3] == ["Prospecting", "Negotiation/Review", "Closed Won"]
    assert not any("stage order inferred" in n for n in notes)


def run(args: list[str], db_path) -> int:
    return cli.main([*args, "--db", str(db_path)])


def test_cli_stage_hints_on_a_foreign_vocabulary(db_path, capsys, tmp_path):
    # A Dutch pipeline: no word is known, so nothing reads as won until the user says.
    path = tmp_path / "deals.csv"
    path.write_text("Id,Fase\n1,Afspraak\n2,Offerte\n3,Getekend\n4,Afgewezen\n5,Getekend\n")
    base = ["import", str(path), "--table", "deals", "--map", "stage=Fase"]
    assert run([*base, "--dry-run"], db_path) == 0
    assert "no stage in the file reads as won ('Afspraak', 'Offerte', 'Getekend'" in (
        capsys.readouterr().out
    )
    hints = ["--stage", "Getekend=won", "--stage", "afgewezen=LOST"]
    order = ["--stage-order", "Afspraak,Offerte"]
    assert run([*base, *hints, *order], db_path) == 0
    out = capsys.readouterr().out
    assert "no stage in the file reads as won" not in out and "stage order inferred" not in out
    con = warehouse.connect(db_path)
    assert dict(con.execute("select deal_id, status from deals").fetchall()) == {
        "1": "open",
        "2": "open",
        "3": "won",
        "4": "lost",
        "5": "won",
    }
    assert con.execute("select stage from pipeline_stages order by stage_order").fetchall() == [
        ("Afspraak",),
        ("Offerte",),
        ("Getekend",),
        ("Afgewezen",),
    ]


def test_cli_stage_hint_on_the_russian_bitrix_export(db_path, capsys):
    # 'Сделка заключена' is already won by its words; the hint says the same and moves the
    # open stages into the order the user gives.
    args = [
        "import",
        str(BITRIX_RU),
        "--table",
        "deals",
        "--map",
        "stage=Стадия сделки",
        "--stage",
        "Сделка заключена=won",
        "--stage-order",
        "Новая,Подготовка документов,В работе,Финальный счёт",
    ]
    assert run(args, db_path) == 0
    con = warehouse.connect(db_path)
    assert con.execute("select status, count(*) from deals group by 1 order by 1").fetchall() == [
        ("lost", 3),
        ("open", 4),
        ("won", 3),
    ]
    assert [
        r[0]
        for r in con.execute("select stage from pipeline_stages order by stage_order").fetchall()
    ][:4] == ["Новая", "Подготовка документов", "В работе", "Финальный счёт"]


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        (["--stage", "Signed=won"], "--stage names 'Signed', which is not a stage of"),
        (["--stage-order", "Lead,Won"], "--stage-order names 'Lead', which is not a stage of"),
        (["--stage", "Won=maybe"], "a stage means won, lost or open, not 'maybe'"),
    ],
)
def test_cli_stage_names_not_in_the_file(db_path, capsys, option, expected):
    args = ["import", str(PIPELINE), "--map", "stage=deal_stage", "--dry-run", *option]
    assert run(args, db_path) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    if "not a stage" in expected:
        assert "its stages are 'Prospecting', 'Engaging', 'Won', 'Lost'." in err


def test_choose_raises_one_sentence():
    frame = stages.order(
        stages.with_final(
            pd.DataFrame([{"raw_stage": "A", "stage": "A", "status": "open", "deals": 1}])
        )
    )
    with pytest.raises(ImportProblem, match=r"its stages are 'A', 'Won', 'Lost'\.$"):
        stages.choose(frame, {"B": "won"}, [], "f.csv")
