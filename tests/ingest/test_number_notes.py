"""The note "commas read as thousands separators" only for a column that has a comma
(issue 17: spurious notes)."""

from pathlib import Path

from dashboard.ingest import loader
from dashboard.ingest.formats import guess_number

REAL = Path(__file__).parent / "real_exports"


def notes_of(con, path: Path, **options) -> list[str]:
    inspection = loader.inspect(con, path, path.name, **options)
    try:
        return inspection.notes
    finally:
        loader.close(con, inspection)


def test_no_comma_no_note(con):
    # Amount ("52000", "") and Probability ("100", "5") hold no comma; nor does rating (1-5).
    opportunity = notes_of(con, REAL / "salesforce-dataloader" / "Opportunity.csv")
    reviews = notes_of(con, REAL / "reviews" / "amazon_alexa.tsv", table="surveys")
    assert not [n for n in opportunity + reviews if "thousands" in n]
    assert not [n for n in opportunity if n.startswith(("Amount:", "Probability:"))]


def test_a_column_with_commas_keeps_its_note(con):
    data = b'Customer,Order Date,Total\nAcme,2024-01-05,"1,250"\nBeta,2024-01-06,300\n'
    inspection = loader.inspect(con, data, "orders.csv")
    try:
        assert "Total: commas read as thousands separators" in inspection.notes
        assert inspection.conversion.preview(con)["amount"].astype(float).tolist() == [1250, 300]
    finally:
        loader.close(con, inspection)


def test_guess_number_says_nothing_about_plain_numbers():
    assert guess_number(["52000", "7500", "100"], ",").evidence == ""
    assert guess_number(["1,250", "300"], ",").evidence == "commas read as thousands separators"
