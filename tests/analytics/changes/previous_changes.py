"""The changes panel's deal figures as they were computed before changes_deal_summary: in
pandas, over every row of changes_deals (one per changed deal). Kept verbatim (only renamed
and given `previous_` names) so that tests/analytics/changes/test_changes_summary_identity.py
can check the SQL counts give the same answer."""

from __future__ import annotations

import pandas as pd

from dashboard.analytics.changes.data import MOVERS, _number, _text, competitor_names, owner_link


def previous_deal_parts(deals: pd.DataFrame, known: set[str]) -> dict[str, object]:
    """What changes_since took from changes_deals' rows, as it did before."""
    return {
        **deal_changes(deals),
        "new_competitors": new_competitors(deals, known),
        "biggest_movers": biggest_movers(deals),
    }


def deal_changes(deals: pd.DataFrame) -> dict[str, object]:
    """Counts of deals added/updated/removed, stage moves and status changes."""
    kinds = deals["change_kind"].value_counts()
    both = deals[deals["change_kind"] == "updated"]
    moved = both[both["before_stage"].fillna("\0") != both["after_stage"].fillna("\0")]
    moves = (
        moved.groupby(["before_stage", "after_stage"], dropna=False)
        .size()
        .reset_index(name="deals")
        .sort_values(["deals", "before_stage", "after_stage"], ascending=[False, True, True])
    )
    before, after = both["before_status"], both["after_status"]
    return {
        "deals_added": int(kinds.get("added", 0)),
        "deals_updated": int(kinds.get("updated", 0)),
        "deals_removed": int(kinds.get("removed", 0)),
        "stage_moves": [
            {"from": _text(r.before_stage), "to": _text(r.after_stage), "deals": int(r.deals)}
            for r in moves.itertuples()
        ],
        "status_changes": {
            "won": int(((after == "won") & (before != "won")).sum()),
            "lost": int(((after == "lost") & (before != "lost")).sum()),
            "reopened": int(((after == "open") & before.isin(["won", "lost"])).sum()),
        },
    }


def new_competitors(deals: pd.DataFrame, known: set[str]) -> list[str]:
    """Competitors named on the changed deals that no deal in scope named before."""
    before = set(known)
    for cell in _cells(deals["before_competitor"]):
        before |= set(competitor_names(cell))
    found: dict[str, str] = {}
    for cell in _cells(deals["after_competitor"]):
        for key, name in competitor_names(cell).items():
            if key not in before:
                found.setdefault(key, name)
    return sorted(found.values(), key=str.casefold)


def _cells(column: pd.Series) -> list[object]:
    """The column's distinct non-empty cells, in order of first appearance: a load of a million
    deals names a few hundred competitor cells, so each is split once, not once per deal
    (3.7 s of CPU per million deals before)."""
    return column.dropna().drop_duplicates().tolist()


def biggest_movers(deals: pd.DataFrame) -> list[dict[str, object]]:
    """The deals whose amount moved most (added: its amount; removed: minus it); a deal whose
    amount is unknown on either side is not a mover."""
    frame = deals[deals["change_kind"] != "unchanged"].copy()
    frame["amount_change"] = frame["after_amount"].fillna(0) - frame["before_amount"].fillna(0)
    unknown = (
        (
            (frame["change_kind"] == "updated")
            & (frame["before_amount"].isna() | frame["after_amount"].isna())
        )
        | ((frame["change_kind"] == "added") & frame["after_amount"].isna())
        | ((frame["change_kind"] == "removed") & frame["before_amount"].isna())
    )
    frame = frame[~unknown & (frame["amount_change"] != 0)]
    frame = frame.assign(size=frame["amount_change"].abs())
    # Only deals as large as the MOVERS-th largest can be listed: sort those, not a million.
    if len(frame) > MOVERS:
        frame = frame[frame["size"] >= frame["size"].nlargest(MOVERS).iloc[-1]]
    frame = frame.sort_values(["size", "deal_id"], ascending=[False, True])
    return [
        {
            "deal_id": r.deal_id,
            "deal_name": _text(r.deal_name),
            "owner": _text(r.owner),
            "change": r.change_kind,
            "amount_before": _number(r.before_amount),
            "amount_after": _number(r.after_amount),
            "amount_change": float(r.amount_change),
            "link": owner_link(_text(r.owner)),
        }
        for r in frame.head(MOVERS).itertuples()
    ]
