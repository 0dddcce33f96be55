"""A hand-made company for the alert tests; every figure is worked out in test_check.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.store import warehouse
from tests.conftest import frame

# The last day with data is 30 Apr 2025, so last-30-days = 1–30 Apr 2025 and the period
# before it = 2–31 Mar 2025.
ACCOUNTS = frame(
    "account_id segment region owner",
    [("A1", "SMB", "EMEA", "Ann"), ("A2", "Enterprise", "APAC", "Bob")],
)
DEALS = frame(
    "deal_id account_id owner status amount competitor created_at closed_at",
    [
        ("D1", "A1", "Ann", "won", 100, "Acme", "2025-02-01", "2025-04-05"),
        ("D2", "A1", "Ann", "lost", 200, "Acme", "2025-02-01", "2025-04-10"),
        ("D3", "A1", "Ann", "lost", 300, "Acme", "2025-02-01", "2025-04-20"),
        ("D4", "A2", "Bob", "won", 400, None, "2025-02-01", "2025-04-30"),
        ("D5", "A1", "Ann", "won", 500, None, "2025-02-01", "2025-03-10"),
        ("D6", "A1", "Ann", "won", 600, None, "2025-02-01", "2025-03-15"),
        ("D7", "A2", "Bob", "lost", 700, None, "2025-02-01", "2025-03-20"),
    ],
)


def load_company(con) -> int:
    return warehouse.load_frames(con, {"accounts": ACCOUNTS, "deals": DEALS}, source="test")


def more_deals(con, rows: list[tuple]) -> int:
    """Another load of deals (columns as DEALS)."""
    return warehouse.load_frames(con, {"deals": frame(" ".join(DEALS.columns), rows)}, source="t")


@pytest.fixture
def company(con):
    load_company(con)
    return con


def write_rules(folder: Path, text: str) -> Path:
    path = folder / "alerts.toml"
    path.write_text(f'[outbox]\nfolder = "{folder / "outbox"}"\n\n{text}', encoding="utf-8")
    return path


# Fires on the company: April's win rate is 2/4 = 0.5, below 0.51.
UNDER_51 = """
[[rule]]
name = "Win rate under 51%"
metric = "win_rate"
comparison = "below"
threshold = 0.51
period = "last-30-days"
recipients = {recipients}
"""
