"""crm-dashboard digest on the sample: PDF pages, text and images; md and html; a manager's
digest holds only their grant; --if-changed writes nothing when no load happened."""

from __future__ import annotations

import base64
import re
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pypdf
import pytest

from dashboard import cli
from dashboard.analytics.digest import build, images
from dashboard.analytics.digest.build import PERIODS
from dashboard.analytics.overview import data as overview
from dashboard.core import access
from dashboard.core.filters import Filters, Scope
from dashboard.store import warehouse
from tests.conftest import frame

# A 1x1 PNG: what the md/html tests draw instead of Chromium (the PDF test draws for real).
DOT = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PAGE_TITLES = ["Funnel", "Retention", "Satisfaction", "Competitors", "Health"]
ROLES = """
[people]
"exec" = "viewer"
"maria" = { role = "manager", segments = ["SMB"] }
"""


@pytest.fixture
def db(sample_db, tmp_path) -> Path:
    """The sample, copied: a digest records itself in the file."""
    path = tmp_path / "digest.duckdb"
    shutil.copyfile(sample_db, path)
    return path


@pytest.fixture
def dots(monkeypatch):
    monkeypatch.setattr(images, "to_png", lambda figs: [None if f is None else DOT for f in figs])


@pytest.fixture
def roles(tmp_path, monkeypatch):
    path = tmp_path / "roles.toml"
    path.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv(access.ROLES_ENV, str(path))
    monkeypatch.setenv("USER", "exec")


def digest(capsys, db: Path, out: Path, *extra: str) -> str:
    code = cli.main(["digest", "--db", str(db), "--out", str(out), *extra])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def expected_tiles(db: Path, filters: Filters, period: str = "last-30-days") -> list:
    """The overview page's tiles for the digest's period (the app's own kpi_summary)."""
    con = warehouse.connect(db)
    try:
        dated, _ = build.period_filters(con, filters, period)
        return overview.kpi_summary(con, dated.within(filters.scope)).tiles
    finally:
        con.close()


def test_periods_count_back_from_the_last_day_with_data():
    # 31 Oct is a month's last day: last-month is October itself; 15 Oct: September.
    assert PERIODS["last-7-days"](date(2026, 10, 31)) == (date(2026, 10, 25), date(2026, 10, 31))
    assert PERIODS["last-month"](date(2026, 10, 31)) == (date(2026, 10, 1), date(2026, 10, 31))
    assert PERIODS["last-month"](date(2026, 10, 15)) == (date(2026, 9, 1), date(2026, 9, 30))
    assert PERIODS["year-to-date"](date(2026, 3, 2)) == (date(2026, 1, 1), date(2026, 3, 2))


@pytest.fixture(scope="module")
def pdf_digest(tmp_path_factory, sample_db) -> tuple[Path, Path]:
    """One real PDF digest (charts drawn by kaleido on the system Chromium, printed by it)."""
    folder = tmp_path_factory.mktemp("pdf")
    db = folder / "digest.duckdb"
    shutil.copyfile(sample_db, db)
    out = folder / "digest.pdf"
    argv = ["digest", "--db", str(db), "--period", "last-30-days", "--format", "pdf"]
    assert cli.main([*argv, "--out", str(out)]) == 0
    return db, out


def test_the_pdf_has_the_overview_then_one_page_per_page_each_with_one_chart(pdf_digest):
    db, out = pdf_digest
    reader = pypdf.PdfReader(out)
    # Page 1: the overview (tiles, what changed, movers, its chart); then Funnel..Health.
    assert len(reader.pages) == 1 + len(PAGE_TITLES)
    texts = [page.extract_text() for page in reader.pages]
    for page in reader.pages:
        (image,) = page.images  # exactly one chart per page
        width, height = image.image.size
        assert (width, height) == (images.WIDTH * images.SCALE, images.HEIGHT * images.SCALE)
        low, high = image.image.convert("L").getextrema()
        assert high - low > 100  # drawn, not blank
    for title, text in zip(PAGE_TITLES, texts[1:], strict=True):
        assert text.startswith(title), text[:80]
    first = " ".join(texts[0].split())
    assert "What changed since the previous digest" in first and "Top movers" in first
    for tile in expected_tiles(db, Filters()):  # every overview tile, with the app's figures
        assert tile.label in first
        assert tile.value in first, (tile.label, tile.value)


def test_markdown_holds_the_tiles_movers_charts_and_links(db, dots, tmp_path, capsys):
    out = tmp_path / "weekly.md"
    said = digest(
        capsys,
        db,
        out,
        "--period",
        "last-30-days",
        "--format",
        "md",
        "--segment",
        "SMB",
        "--base-url",
        "https://crm.example.com/",
    )
    assert str(out) in said
    text = out.read_text()
    for tile in expected_tiles(db, Filters(segments=("SMB",))):
        assert f"| {tile.label} | {tile.value} | {tile.delta or '—'} |" in text
    charts = re.findall(r"!\[[^\]]*\]\((weekly_charts/\d\d_\w+\.png)\)", text)
    assert len(charts) == 6 and all((tmp_path / c).read_bytes() == DOT for c in charts)
    # The live view carries the digest's filters; each page links to itself.
    assert re.search(
        r"\(https://crm\.example\.com/\?from=\d{4}-\d\d-\d\d&to=[\d-]+&segment=SMB\)", text
    )
    assert "(https://crm.example.com/funnel?from=" in text
    movers = text.split("## Top movers")[1].split("##")[0]
    assert len(re.findall(r"^- (Region|Owner|Segment) .+: won \$", movers, re.M)) == 5


def test_html_is_one_file_with_its_images_inline(db, dots, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CRM_DASHBOARD_BASE_URL", "https://dash.internal")
    out = tmp_path / "digest.html"
    digest(capsys, db, out, "--format", "html")
    text = out.read_text()
    assert text.count('src="data:image/png;base64,') == 6
    assert 'href="https://dash.internal/?from=' in text
    for title in PAGE_TITLES:
        assert f"<h2>{title}</h2>" in text


def test_a_managers_digest_holds_only_their_grant(db, dots, roles, tmp_path, capsys):
    out = tmp_path / "maria.md"
    digest(capsys, db, out, "--as", "maria", "--period", "last-30-days", "--format", "md")
    text = out.read_text()
    # No other segment's name anywhere, and the figures are the granted ones.
    assert "Enterprise" not in text and "Mid-market" not in text
    for tile in expected_tiles(db, Filters(scope=Scope(segments=("SMB",)))):
        assert f"| {tile.label} | {tile.value} |" in text
    everyone = expected_tiles(db, Filters())
    won = next(t for t in everyone if t.key == "won_amount")
    assert f"| Won amount | {won.value} |" not in text  # the whole company's figure
    # Owners named as movers all own SMB deals.
    con = warehouse.connect(db)
    smb_owners = {
        r[0]
        for r in con.execute(
            "select distinct d.owner from deals d join accounts a using (account_id) "
            "where a.segment = 'SMB'"
        ).fetchall()
    }
    con.close()
    named = set(re.findall(r"- Owner (.+?): won", text))
    assert named and named <= smb_owners
    # The movers are the grant's: the same sentences as computed within it.
    con = warehouse.connect(db)
    dated, _ = build.period_filters(con, Filters(), "last-30-days")
    granted, _ = build.top_movers(con, dated.within(Scope(segments=("SMB",))))
    everyone, _ = build.top_movers(con, dated)
    con.close()
    assert [f"- {m.sentence}" for m in granted] == re.findall(
        r"^- .+ the period before$", text, re.M
    )
    assert [m.sentence for m in granted] != [m.sentence for m in everyone]


def test_if_changed_writes_nothing_until_a_load(db, dots, tmp_path, capsys):
    first, second, third = (tmp_path / f"d{i}.md" for i in (1, 2, 3))
    digest(capsys, db, first, "--format", "md", "--if-changed")  # no previous digest: written
    assert "first digest for these filters" in first.read_text()
    said = digest(capsys, db, second, "--format", "md", "--if-changed")
    assert not second.exists() and "nothing written" in said
    # Another scope has its own series: its first digest is written.
    digest(capsys, db, tmp_path / "smb.md", "--format", "md", "--if-changed", "--segment", "SMB")
    assert (tmp_path / "smb.md").exists()
    con = warehouse.connect(db)
    newco = pd.DataFrame({"account_id": ["NEW1"], "account_name": ["Newco"], "segment": ["SMB"]})
    deal = frame(
        "deal_id account_id owner status amount created_at closed_at",
        [("NEWD1", "NEW1", "Ann", "won", 5000, "2026-10-01", "2026-10-20")],
    )
    load_id = warehouse.load_frames(
        con, {"accounts": newco, "deals": deal}, source="import", file_name="newco.csv"
    )
    con.close()
    digest(capsys, db, third, "--format", "md", "--if-changed")
    changed = third.read_text().split("## What changed since the previous digest")[1]
    changed = changed.split("##")[0]
    # The changes analytics' words for the load after the previous digest: one deal added.
    assert "- Since newco.csv, loaded" in changed and load_id > 1
    assert "- Deals: 1 added, 0 updated, 0 removed." in changed


def test_bad_options_are_one_sentence(db, tmp_path, capsys):
    code = cli.main(
        [
            "digest",
            "--db",
            str(db),
            "--format",
            "md",
            "--out",
            str(tmp_path / "x.md"),
            "--period",
            "last-month",
            "--from",
            "2026-01-01",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "either --period or --from/--to" in err


def test_no_browser_is_one_sentence_and_writes_nothing(db, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    out = tmp_path / "d.pdf"
    code = cli.main(["digest", "--db", str(db), "--format", "pdf", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "install Debian's chromium" in err
    assert not out.exists()
    con = warehouse.connect(db)
    assert warehouse.scalar(con, "select count(*) from digests") == 0  # not recorded either
    con.close()


def test_a_managers_what_changed_names_no_file_and_counts_only_granted_deals(
    db, dots, roles, tmp_path, capsys
):
    digest(capsys, db, tmp_path / "first.md", "--as", "maria", "--format", "md")
    con = warehouse.connect(db)
    accounts = frame(
        "account_id account_name segment",
        [("NEW1", "Newco", "SMB"), ("NEW2", "Bigco", "Enterprise")],
    )
    deals = frame(
        "deal_id account_id owner status amount created_at closed_at",
        [
            ("NEWD1", "NEW1", "Ann", "won", 5000, "2026-10-01", "2026-10-20"),
            ("NEWD2", "NEW2", "Ann", "won", 9000, "2026-10-01", "2026-10-20"),
        ],
    )
    load_id = warehouse.load_frames(
        con, {"accounts": accounts, "deals": deals}, source="import", file_name="secret-q4.csv"
    )
    con.close()
    out = tmp_path / "after.md"
    digest(capsys, db, out, "--as", "maria", "--format", "md", "--if-changed")
    changed = out.read_text().split("## What changed since the previous digest")[1].split("##")[0]
    assert "secret-q4.csv" not in changed and f"- Since load {load_id}, loaded" in changed
    assert "- Deals: 1 added, 0 updated, 0 removed." in changed  # NEWD1 only: SMB is granted
