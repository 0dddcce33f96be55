"""changes_deal_summary.sql counts in SQL what the changes panel showed of changes_deals' rows
(counts, stage moves, status changes, the competitor cells, the ten biggest movers), so that a
million-deal load no longer fetches a million rows into pandas. Its answer must be exactly what
the pandas code gave over those rows (kept in previous_changes.py), on the hand-made loads of
test_changes.py (a load, several loads, an undo, filters and grants) and on the sample."""

from __future__ import annotations

import pytest

from dashboard.analytics.changes import data as changes
from dashboard.core import queries
from dashboard.store import warehouse
from tests.analytics.changes.previous_changes import previous_deal_parts
from tests.analytics.changes.test_changes import loads  # noqa: F401

ALL = {"segments": None, "regions": None, "owners": None, "teams": None}
SCOPES = [
    ALL,
    {**ALL, "segments": ["SMB"]},
    {**ALL, "regions": ["NA"]},
    {**ALL, "owners": ["Bob"]},
    {**ALL, "teams": ["East"]},
    {**ALL, "segments": ["Enterprise"], "owners": ["Ann"]},
    {**ALL, "segments": []},  # granted nothing
]


def both_ways(cur, params: dict) -> tuple[dict, dict]:
    """(the pandas answer over changes_deals' rows, the answer from changes_deal_summary)."""
    known = set(queries.run(cur, "changes_competitors_before", params)["name_key"])
    before = previous_deal_parts(queries.run(cur, "changes_deals", params), known)
    summary = queries.run(cur, "changes_deal_summary", {**params, "movers": changes.MOVERS})
    now = {
        **changes.deal_changes(summary),
        "new_competitors": changes.new_competitors(summary, known),
        "biggest_movers": changes.biggest_movers(summary),
    }
    return before, now


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("first_load", [2, 3])
def test_loads_as_before(loads, first_load, scope):  # noqa: F811
    before, now = both_ways(loads, {"first_load": first_load, "undo_event": None, **scope})
    assert now == before


@pytest.mark.parametrize("scope", SCOPES)
def test_an_undo_as_before(loads, scope):  # noqa: F811
    warehouse.undo_load(loads, 3)
    undo = int(loads.execute("select max(event_id) from change_events").fetchone()[0])
    before, now = both_ways(loads, {"first_load": 3, "undo_event": undo, **scope})
    assert now == before
    if scope == ALL:  # not vacuous: the undo moved deals
        assert now["deals_updated"] == 3 and len(now["biggest_movers"]) == 2


SAMPLE_SCOPES = [ALL, {**ALL, "segments": ["SMB"]}, {**ALL, "regions": ["EMEA"]}]
SAMPLE_SCOPES.append({**ALL, "owners": []})  # granted nothing


@pytest.mark.parametrize("scope", SAMPLE_SCOPES)
def test_the_sample_as_before(sample_con, scope):
    before, now = both_ways(sample_con.cursor(), {"first_load": 1, "undo_event": None, **scope})
    assert now == before
    if scope == ALL:
        assert now["deals_added"] > 1000 and len(now["biggest_movers"]) == changes.MOVERS
