"""A hand-made company small enough to work every number out by hand (see test_queries_golden).

Period used by the tests: 2025-01-01 .. 2025-03-31 (inclusive).

Accounts: A1 Enterprise/EMEA/Ann, A2 SMB/APAC/Bob, A4 blank segment/no region/Cy.
Deals:
  D1 A1 Ann won  1000 created 2024-12-01 closed 2025-01-31  cycle 61 days
  D2 A1 Ann lost  500 created 2025-01-10 closed 2025-02-10
  D3 A2 Bob won  3000 created 2025-02-01 closed 2025-03-03  cycle 30 days
  D4 A2 Bob open 2000 created 2025-03-15
  D5 A1 Ann won   700 created 2025-03-01 closed 2025-04-15  cycle 45 days (open at period end)
  D6 A2 Bob lost  n/a created 2024-06-01 closed 2024-07-01
  D7 ZZ Ann won   100 no dates (account unknown)
Orders: O1 A2 2024-11-15 250; O2 A3 2025-02-20 80 (A3 is not in accounts).
Surveys: see SURVEYS below.
"""

from tests.conftest import frame

ACCOUNTS = frame(
    "account_id segment region owner",
    [
        ("A1", "Enterprise", "EMEA", "Ann"),
        ("A2", "SMB", "APAC", "Bob"),
        ("A4", "  ", None, "Cy"),
    ],
)
DEALS = frame(
    "deal_id account_id owner status amount created_at closed_at",
    [
        ("D1", "A1", "Ann", "won", 1000, "2024-12-01", "2025-01-31"),
        ("D2", "A1", "Ann", "lost", 500, "2025-01-10", "2025-02-10"),
        ("D3", "A2", "Bob", "won", 3000, "2025-02-01", "2025-03-03"),
        ("D4", "A2", "Bob", "open", 2000, "2025-03-15", None),
        ("D5", "A1", "Ann", "won", 700, "2025-03-01", "2025-04-15"),
        ("D6", "A2", "Bob", "lost", None, "2024-06-01", "2024-07-01"),
        ("D7", "ZZ", "Ann", "won", 100, None, None),
    ],
)
ORDERS = frame(
    "order_id account_id ordered_at amount",
    [
        ("O1", "A2", "2024-11-15", 250),
        ("O2", "A3", "2025-02-20", 80),
    ],
)
SURVEYS = frame(
    "response_id account_id responded_at survey_type score",
    [
        ("S1", "A1", "2025-01-05", "nps", 10),
        ("S2", "A1", "2025-02-05", "nps", 9),
        ("S3", "A1", "2025-02-06", "nps", 7),
        ("S4", "A1", "2025-03-31 23:59:59", "nps", 3),  # last second of the period: inside
        ("S5", "A2", "2025-03-01", "nps", 6),
        ("S6", "A2", "2024-12-31 23:59:59", "nps", 10),  # a second before the period: outside
        ("S7", "A2", "2025-03-02", "nps", None),  # no score: never counted
        ("S8", "A1", "2025-01-20", "csat", 5),
        ("S9", "A1", "2025-01-21", "csat", 4),
        ("S10", "A1", "2025-01-22", "csat", 2),
        ("S11", "A3", "2025-01-23", "csat", 3),
        ("S12", "A2", "2025-02-01", "ces", 2),
        ("S13", "A2", "2025-02-02", "ces", 4),
    ],
)


def load_golden(con) -> None:
    from dashboard.store import warehouse

    warehouse.load_frames(
        con,
        {"accounts": ACCOUNTS, "deals": DEALS, "orders": ORDERS, "surveys": SURVEYS},
        source="test",
    )
