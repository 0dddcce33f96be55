"""Competitor positioning: against whom do we win and lose, where, and why?

Data functions only (cursor, filters, options) -> small frames; no Streamlit. The query files
(queries/competitor_*.sql) read summary_deal_competitors, one row per competitor named on a
deal, and return counts and sums over closed deals placed by close date; every rate and
interval is computed here with measures.win_rate and measures.win_rate_interval.

A deal naming several competitors counts once for each of them in per-competitor rows; the
totals (competitor_totals.sql) count each deal once. Open deals never count.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import duckdb
import pandas as pd

from dashboard.core import empty, formatting, measures, needs, noise, queries
from dashboard.core.coverage import data_span
from dashboard.core.filters import SCOPE_KEYS, Filters
from dashboard.core.periods import describe_period
from dashboard.core.tiles import Tile

NO_COMPETITOR = "No competitor recorded"
ANY_COMPETITOR = "Any competitor"
ALL_DEALS = "All closed deals"
NOT_RECORDED = "(not recorded)"
NOT_SET = "(not set)"  # competitor_by_segment: the account has no segment
OTHER_REASONS = "Other reasons"
# A rate resting on fewer closed deals than this is marked "few deals", drawn grey, and never
# named as the competitor (or segment) that hurts most.
MIN_COUNT = 20
# Below this share of closed deals naming a competitor, the page warns before any rate.
LOW_COVERAGE = 0.5
TREND_DEFAULT = 5  # competitors drawn in the trend until the user picks others
TOP_REASONS = 3  # loss reasons named per competitor in the table
REASON_COLUMNS = 8  # loss reasons shown as columns; the rest are "Other reasons"
PRICE_NOTE = (
    "Price gap or discount: not shown, because the data does not have it. The deals table "
    "holds the amount agreed (or lost) but no list price, discount or competitor's price, so "
    "any gap would be invented. Losses whose recorded reason is price are in the loss reasons "
    "below."
)


def _label(competitor: object) -> str:
    return NO_COMPETITOR if competitor is None or pd.isna(competitor) else str(competitor)


def _plain(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _with_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Adds count_closed, win_rate, its 95% interval and is_small to won/lost counts."""
    out = frame.copy()
    out["count_closed"] = out["count_won"] + out["count_lost"]
    out["win_rate"] = measures.win_rate(out["count_won"], out["count_lost"])
    out["win_rate_low"], out["win_rate_high"] = measures.win_rate_interval(
        out["count_won"], out["count_lost"]
    )
    out["is_small"] = out["count_closed"] < MIN_COUNT
    return out


# --- the names and their order ----------------------------------------------------------


def names(cur: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> list[str]:
    """Every competitor in the data the person may see, most deals first, whatever the
    sidebar choices: the order that gives each one its colour on every chart."""
    params = (filters or Filters()).scope_params()
    return queries.run(cur, "competitor_names", params)["competitor"].tolist()


# --- per competitor ---------------------------------------------------------------------


@dataclass(frozen=True)
class Positioning:
    """Per-competitor numbers for the period, the totals that count each deal once, and the
    same for the previous period of equal length (when the filters have one)."""

    table: pd.DataFrame  # one row per competitor named, then the no-competitor row
    totals: pd.DataFrame  # index any / none / all, each deal once
    previous_totals: pd.DataFrame | None
    previous_label: str | None  # the previous period in words
    notes: list[str] = field(default_factory=list)
    no_data: dict[str, str] = field(default_factory=dict)  # need key -> what to map (needs.py)
    # competitor_loss_reasons' rows for the period (the top reasons column): the page's loss
    # reason chart is made from them (lost_by_reason) instead of running the query again.
    reasons: pd.DataFrame | None = None

    @property
    def has_amounts(self) -> bool:
        return "competitor_amount" not in self.no_data

    @property
    def coverage(self) -> float | None:
        """Share of closed deals that name any competitor."""
        return measures.ratio(self.totals.at["any", "count_deals"], self.closed)

    @property
    def closed(self) -> int:
        return int(self.totals.at["all", "count_deals"])

    @property
    def named(self) -> pd.DataFrame:
        return self.table[self.table["competitor"].notna()]


def totals(cur: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Closed deals naming any competitor, none, and all of them: each deal once."""
    frame = queries.run(cur, "competitor_totals", filters.params()).set_index("deal_group")
    frame = frame.reindex(["any", "none", "all"])
    counts = ["count_deals", "count_won", "count_lost", "won_amount", "lost_amount"]
    frame[counts] = frame[counts].fillna(0)
    for column in ("count_deals", "count_won", "count_lost"):
        frame[column] = frame[column].astype(int)
    return _with_rates(frame)


def _summary(cur: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """competitor_summary with rates, and always a no-competitor row (zeros if none)."""
    frame = queries.run(cur, "competitor_summary", filters.params())
    if not frame["competitor"].isna().any():
        none = {c: 0 for c in frame.columns if c.startswith("count_") or c.endswith("_amount")}
        none |= {"competitor": None, "median_cycle_days": None}
        frame = pd.concat([frame, pd.DataFrame([none])], ignore_index=True)
    frame["competitor"] = frame["competitor"].astype(object).where(frame["competitor"].notna())
    return _with_rates(frame)


AMOUNT_COLUMNS = ["won_amount", "lost_amount"]


def no_data(cur: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> dict[str, str]:
    """The page's parts whose input no load fed (core/needs.py): key -> what to map. Keys:
    competitors (no competitor column), competitor_amount, competitor_cycle, competitor_period,
    loss_reasons."""
    return needs.no_data_reasons(cur, needs.COMPETITORS, filters)


def _note(view: Positioning, key: str) -> str:
    return needs.note(needs.COMPETITORS, key, view.no_data[key])


def _blank_unfed(frame: pd.DataFrame, gaps: dict[str, str]) -> pd.DataFrame:
    """Amounts and cycles whose input was never mapped are unknown (NaN), not $0 or 0 days."""
    out = frame.copy()
    if "competitor_amount" in gaps:
        out[[c for c in out.columns if c.endswith("_amount")]] = float("nan")
    if "competitor_cycle" in gaps and "median_cycle_days" in out:
        out["median_cycle_days"] = float("nan")
    return out


def top_reasons(reasons: pd.DataFrame) -> dict[str, str]:
    """'Lost to competitor 335 · No decision 179 · Timing 175' per competitor label."""
    out: dict[str, str] = {}
    for competitor, group in reasons.groupby("competitor", dropna=False, sort=False):
        top = group.sort_values(["count_deals", "reason"], ascending=[False, True])
        out[_label(competitor)] = " · ".join(
            f"{r.reason} {formatting.count(r.count_deals)}"
            for r in top.head(TOP_REASONS).itertuples()
        )
    return out


def positioning(cur: duckdb.DuckDBPyConnection, filters: Filters) -> Positioning:
    """One row per competitor met on closed deals (and one for none): deals met, encounter
    rate, win rate with its 95% interval, amounts, median cycle, top loss reasons, and the
    change in win rate vs the previous period of equal length."""
    gaps = no_data(cur, filters)
    table = _blank_unfed(_summary(cur, filters), gaps)
    total = _blank_unfed(totals(cur, filters), gaps)
    table.insert(1, "label", table["competitor"].map(_label))
    table["encounter_rate"] = measures.ratio(
        table["count_deals"], pd.Series(total.at["all", "count_deals"], index=table.index)
    )
    table["amount_closed"] = table["won_amount"] + table["lost_amount"]
    reason_rows = _reasons(cur, filters)
    reasons = top_reasons(reason_rows)
    table["top_loss_reasons"] = table["label"].map(lambda label: reasons.get(label, ""))
    previous = filters.previous_period()
    previous_totals = None
    if previous is not None:
        before = _summary(cur, previous).set_index("competitor", drop=False)
        before.index = before.index.map(_label)
        matched = before.reindex(table["label"])
        table["previous_count_closed"] = matched["count_closed"].fillna(0).astype(int).to_numpy()
        table["previous_win_rate"] = matched["win_rate"].to_numpy()
        previous_totals = _blank_unfed(totals(cur, previous), gaps)
    else:
        table["previous_count_closed"] = float("nan")
        table["previous_win_rate"] = float("nan")
    table["win_rate_change"] = table["win_rate"] - table["previous_win_rate"]
    return Positioning(
        table=table,
        totals=total,
        previous_totals=previous_totals,
        previous_label=describe_period(previous) if previous else None,
        notes=_notes(cur, filters)
        + [
            needs.note(needs.COMPETITORS, k, gaps[k])
            for k in ("competitor_amount", "competitor_cycle")
            if k in gaps
        ],
        no_data=gaps,
        reasons=reason_rows,
    )


def _notes(cur: duckdb.DuckDBPyConnection, filters: Filters) -> list[str]:
    """Closed deals the period cannot place, in words."""
    if not filters.has_period:
        return []
    scope = {key: value for key, value in filters.params().items() if key in SCOPE_KEYS}
    undated = queries.run_one(cur, "closed_deals_undated", scope)["closed_deals_without_date"]
    if not undated:
        return []
    verb = "is" if undated == 1 else "are"
    return [f"{_closed_deals(undated)} without a close date {verb} in no period, so left out."]


def hurts_most(view: Positioning) -> pd.Series | None:
    """The named competitor with the lowest win rate among those met on at least MIN_COUNT
    closed deals (ties: the one met more often); None when none is met that often."""
    enough = view.named[~view.named["is_small"]]
    if enough.empty:
        return None
    ranked = enough.sort_values(["win_rate", "count_closed"], ascending=[True, False])
    return ranked.iloc[0]


# --- tiles and words for the page -------------------------------------------------------


def _closed_deals(n: int) -> str:
    return f"{formatting.count(n)} closed deal{'' if n == 1 else 's'}"


def _rate_words(won: int, closed: int) -> str:
    return f"{formatting.count(won)} won of {formatting.count(closed)} closed"


def _interval_words(low: object, high: object) -> str:
    if _plain(low) is None:
        return "no interval"
    return f"95% interval {formatting.ratio(low)}–{formatting.ratio(high)}"


def tiles(view: Positioning) -> list[Tile]:
    """Coverage first (data honesty), then win rates with and without a competitor, then
    the competitor that hurts most; deltas vs the previous period in points."""
    before = view.previous_totals
    compared = (
        f" Compared with {view.previous_label}."
        if view.previous_label
        else " Pick a period to compare with the one before."
    )

    def change(now: object, then: object) -> str | None:
        return formatting.delta(_plain(now), _plain(then), "ratio")

    t = view.totals
    coverage_before = (
        measures.ratio(before.at["any", "count_deals"], before.at["all", "count_deals"])
        if before is not None
        else None
    )
    out = [
        Tile(
            "coverage",
            "Competitor recorded",
            formatting.ratio(view.coverage),
            change(view.coverage, coverage_before),
            True,
            f"on {formatting.count(t.at['any', 'count_deals'])} of "
            f"{formatting.count(view.closed)} closed deals",
            "Share of deals closed (won or lost) in the period whose competitor field names at "
            "least one competitor. Every competitor win rate rests on these deals only." + compared,
        )
    ]
    for key, group, label in (
        ("win_rate_any", "any", "Win rate, competitor named"),
        ("win_rate_none", "none", "Win rate, none recorded"),
    ):
        out.append(
            Tile(
                key,
                label,
                formatting.ratio(t.at[group, "win_rate"]),
                change(
                    t.at[group, "win_rate"],
                    None if before is None else before.at[group, "win_rate"],
                ),
                True,
                _rate_words(t.at[group, "count_won"], t.at[group, "count_closed"]),
                "Won ÷ (won + lost) among these deals closed in the period, each deal once "
                "however many competitors it names; open deals never count." + compared,
            )
        )
    worst = hurts_most(view)
    out.append(
        Tile(
            "hurts_most",
            f"Hurts most: {worst['label']}" if worst is not None else "Hurts most",
            formatting.ratio(worst["win_rate"]) if worst is not None else formatting.MISSING,
            change(worst["win_rate"], worst["previous_win_rate"]) if worst is not None else None,
            True,
            f"{_rate_words(worst['count_won'], worst['count_closed'])} · "
            f"{_interval_words(worst['win_rate_low'], worst['win_rate_high'])}"
            if worst is not None
            else f"no competitor met on {MIN_COUNT}+ closed deals",
            f"The competitor with the lowest win rate against it, among those named on at "
            f"least {MIN_COUNT} closed deals in the period." + compared,
        )
    )
    # A change inside its 95% binomial margin is grey, "within noise" (issue 19, point 3).
    out = noise.judged(out, _changes(view, worst), beyond=True)
    return _unmapped(out, view.no_data.get("competitors"))


def _changes(view: Positioning, worst: pd.Series | None) -> dict[str, tuple[float, float, str]]:
    """tile key -> (margin, change, margin as written) of each share tile vs the period before."""
    t, before = view.totals, view.previous_totals
    if before is None:
        return {}
    counts = {
        "coverage": (t.at["any", "count_deals"], view.closed, before.at["any", "count_deals"],
                     before.at["all", "count_deals"]),
        "win_rate_any": _won_closed(t, before, "any"),
        "win_rate_none": _won_closed(t, before, "none"),
    }  # fmt: skip
    if worst is not None and _plain(worst["previous_win_rate"]) is not None:
        n0 = worst["previous_count_closed"]
        counts["hurts_most"] = (worst["count_won"], worst["count_closed"],
                                worst["previous_win_rate"] * n0, n0)  # fmt: skip
    out = {}
    for key, args in counts.items():
        if judged := noise.share_change(*(_plain(a) for a in args)):
            out[key] = (*judged, f"±{judged[0]:.1f} pts")
    return out


def _won_closed(t: pd.DataFrame, before: pd.DataFrame, group: str) -> tuple:
    return (t.at[group, "count_won"], t.at[group, "count_closed"],
            before.at[group, "count_won"], before.at[group, "count_closed"])  # fmt: skip


def _unmapped(cards: list[Tile], why: str | None) -> list[Tile]:
    """With no competitor column ever mapped, every tile is "—" with what to map: 0% recorded
    would say the deals were checked and named no one."""
    if why is None:
        return cards
    return [
        replace(t, value=formatting.MISSING, delta=None, caption=f"No data: {why}", no_data=why)
        for t in cards
    ]


def empty_state(view: Positioning, filters: Filters) -> str | None:
    """Why there is nothing to compare, by its true cause (None when deals closed)."""
    if view.closed:
        return None
    if filters.has_period and "competitor_period" in view.no_data:
        return (
            f"{_note(view, 'competitor_period')} Deals are placed in a period by their close "
            "date; pick 'All time' in the sidebar to count every closed deal."
        )
    return empty.nothing(
        "deals were closed",
        filters,
        "With no closed deal there is no win or loss to compare; deals need a close date to be "
        "placed in a period.",
    )


def coverage_warning(view: Positioning) -> str | None:
    """A warning when competitor win rates rest on a minority of closed deals; when no
    competitor column was ever mapped, that (not 'none recorded') is the cause."""
    if "competitors" in view.no_data:
        return (
            f"{_note(view, 'competitors')} Without it the {_closed_deals(view.closed)} "
            "cannot be split by whom we met (several names in one cell may be separated by "
            "';' or ',')."
        )
    share = view.coverage
    if share is None or share >= LOW_COVERAGE:
        return None
    if share == 0:
        return (
            f"None of the {_closed_deals(view.closed)}"
            f"{' in this period' if view.previous_label else ''} records a competitor "
            "(the competitor column is mapped, but these deals leave it empty), so there is "
            "nothing to compare."
            + (" Widen the period or clear a filter." if view.previous_label else "")
        )
    return (
        f"Only {formatting.ratio(share)} of closed deals record a competitor "
        f"({formatting.count(view.totals.at['any', 'count_deals'])} of "
        f"{formatting.count(view.closed)}): every competitor win rate below rests on that "
        "share and may not speak for the rest."
    )


def map_caption(view: Positioning) -> str:
    """What the chart's dots, bars and fills mean."""
    return (
        "One row per competitor, the one we beat least on top: the dot is our win rate "
        "against it, the bar its 95% interval, the row label how many closed deals named it "
        "(share of all closed). Fill: change in win rate against the previous period of "
        "equal length; ring: the competitor's colour. Faded dots rest on fewer than "
        f"{MIN_COUNT} closed deals."
    )


def headline(view: Positioning, segments: pd.DataFrame) -> str:
    """Which competitor hurts most, where, and whether it is getting better, with counts."""
    worst = hurts_most(view)
    if worst is None:
        return (
            f"No competitor was named on {MIN_COUNT} or more closed deals in this period, so "
            "none can be called the one that hurts most: the rates below rest on few deals."
        )
    none = view.totals.loc["none"]
    words = [
        f"**{worst['label']} hurts most**: we won {formatting.ratio(worst['win_rate'])} of the "
        f"{_closed_deals(worst['count_closed'])} that named it "
        f"({_interval_words(worst['win_rate_low'], worst['win_rate_high'])}), against "
        f"{formatting.ratio(none['win_rate'])} of {formatting.count(none['count_closed'])} "
        "with no competitor recorded."
    ]
    weakest = segments[(segments["label"] == worst["label"]) & segments["is_weakest"]]
    if not weakest.empty:
        cell = weakest.iloc[0]
        words.append(
            f"It is strongest in {cell['segment']}: we won "
            f"{formatting.ratio(cell['win_rate'])} of {formatting.count(cell['count_closed'])} "
            f"against it there, {lift_words(cell['lift'], cell['lift_margin'])} against "
            f"{formatting.ratio(cell['base_rate'])} of {formatting.count(cell['base_closed'])} "
            f"with no competitor in {cell['segment']}."
        )
    elif why := segment_unknown(segments, worst["label"]):
        words.append(why)
    elif not segments[segments["label"] == worst["label"]].empty:
        words.append(
            "No segment stands out: in none is our win rate against it below our win rate "
            "with no competitor in the same segment by more than noise."
        )
    if view.previous_label is None:
        words.append("Pick a period in the sidebar to see whether this is getting better.")
    elif pd.isna(worst["previous_win_rate"]):
        words.append(f"It was not met on a closed deal in {view.previous_label}.")
    else:
        moved = formatting.delta(worst["win_rate"], worst["previous_win_rate"], "ratio")
        words.append(
            f"Against {view.previous_label}: {moved} (from "
            f"{formatting.ratio(worst['previous_win_rate'])} of "
            f"{formatting.count(worst['previous_count_closed'])})."
        )
    return " ".join(words)


def segment_unknown(segments: pd.DataFrame, label: str) -> str | None:
    """Why no segment is named as where a competitor is strongest, when the cause is that
    its deals have no segment (never "strongest in (not set)")."""
    rows = segments[segments["label"] == label]
    unset = rows.loc[rows["segment"] == NOT_SET, "count_closed"].sum()
    if rows.empty or not unset:
        return None
    if unset == rows["count_closed"].sum():
        return (
            "Where it is strongest is unknown: none of its deals' accounts has a segment. "
            "Load accounts with a segment column on the import page."
        )
    return None


def summary_table(view: Positioning) -> pd.DataFrame:
    """The per-competitor table for people, with the totals that count each deal once."""
    t = view.totals
    totals_rows = pd.DataFrame(
        {
            "label": [ANY_COMPETITOR, ALL_DEALS],
            "count_deals": [t.at["any", "count_deals"], t.at["all", "count_deals"]],
            "encounter_rate": [view.coverage, measures.ratio(view.closed, view.closed)],
            **{
                c: [t.at["any", c], t.at["all", c]]
                for c in (
                    "count_won",
                    "count_lost",
                    "win_rate",
                    "win_rate_low",
                    "win_rate_high",
                    "won_amount",
                    "lost_amount",
                    "median_cycle_days",
                )
            },
            "win_rate_change": [_change(t, view.previous_totals, g) for g in ("any", "all")],
            "top_loss_reasons": ["", ""],
        }
    )
    rows = pd.concat([view.table, totals_rows], ignore_index=True)
    table = pd.DataFrame(
        {
            "Competitor": rows["label"],
            "Closed deals met": rows["count_deals"].map(formatting.count),
            "Share of closed deals": rows["encounter_rate"].map(formatting.ratio),
            "Win rate": rows["win_rate"].map(formatting.ratio),
            "95% interval": [
                f"{formatting.ratio(lo)}–{formatting.ratio(hi)}" if _plain(lo) is not None else ""
                for lo, hi in zip(rows["win_rate_low"], rows["win_rate_high"], strict=True)
            ],
            "Won": rows["count_won"].map(formatting.count),
            "Lost": rows["count_lost"].map(formatting.count),
            "Amount won": rows["won_amount"].map(formatting.money),
            "Amount lost": rows["lost_amount"].map(formatting.money),
            "Median cycle (won)": rows["median_cycle_days"].map(formatting.days),
            "Win rate vs previous period": [
                formatting.delta(_plain(c), 0.0, "ratio") or formatting.MISSING
                for c in rows["win_rate_change"]
            ],
            "Top loss reasons": rows["top_loss_reasons"].fillna(""),
        }
    )
    # An input never mapped: no column of "—" all the way down (the notes above say why).
    unfed = {"competitor_amount": ["Amount won", "Amount lost"]}
    unfed["competitor_cycle"] = ["Median cycle (won)"]
    return table.drop(columns=[c for key, cs in unfed.items() if key in view.no_data for c in cs])


# The table as the page shows it: 1440 px wide with the sidebar open (978 px of grid), no
# sideways scrolling: paired numbers share a column ("1,516 (19.0%)", "333 · 1,183"), short
# headers explained on hover, rows tall enough for the loss reasons to wrap onto three lines.
# Header -> (pixels, help); the download keeps every column of `view.table`.
SUMMARY_WIDTHS: dict[str, tuple[int, str | None]] = {
    "Competitor": (118, None),
    "Met on": (100, "Closed deals that named it (their share of all closed deals)."),
    "Win rate": (66, "Won of its closed deals."),
    "95% interval": (98, "The win rate's 95% (Wilson) interval."),
    "Won · lost": (88, "Closed deals won and lost."),
    "Amount won": (88, None),
    "Amount lost": (86, None),
    "Median cycle": (90, "Median days from creation to won, of its won deals."),
    "vs previous": (82, "Win rate against the previous period of equal length."),
    "Top loss reasons": (160, "Its three commonest loss reasons, with their lost deals."),
}  # 976 px
SUMMARY_ROW_HEIGHT = 68  # three lines; Streamlit wraps text only in rows over 64 px


def summary_height(rows: int) -> int:
    """The table's height in pixels: every row (with the totals) up to 12, then it scrolls."""
    return 38 + SUMMARY_ROW_HEIGHT * min(rows, 12) + 3


def summary_page_table(table: pd.DataFrame) -> pd.DataFrame:
    """`summary_table` as the page shows it (SUMMARY_WIDTHS): paired numbers in one column."""
    shown = pd.DataFrame(
        {
            "Competitor": table["Competitor"],
            "Met on": table["Closed deals met"] + " (" + table["Share of closed deals"] + ")",
            "Win rate": table["Win rate"],
            "95% interval": table["95% interval"],
            "Won · lost": table["Won"] + " · " + table["Lost"],
        }
    )
    for column in ("Amount won", "Amount lost"):
        if column in table:
            shown[column] = table[column]
    if "Median cycle (won)" in table:
        shown["Median cycle"] = table["Median cycle (won)"]
    shown["vs previous"] = table["Win rate vs previous period"]
    shown["Top loss reasons"] = table["Top loss reasons"]
    # All time has no previous period: no column of "—" (the headline says to pick one).
    blank = (shown["vs previous"] == formatting.MISSING).all()
    return shown.drop(columns="vs previous") if blank else shown


def _change(now: pd.DataFrame, before: pd.DataFrame | None, group: str) -> float | None:
    if before is None:
        return None
    a, b = _plain(now.at[group, "win_rate"]), _plain(before.at[group, "win_rate"])
    return None if a is None or b is None else a - b


# --- loss reasons -----------------------------------------------------------------------


def _reasons(cur: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    frame = queries.run(cur, "competitor_loss_reasons", filters.params())
    frame["competitor"] = frame["competitor"].astype(object).where(frame["competitor"].notna())
    frame["reason"] = frame["loss_reason"].astype(object).where(frame["loss_reason"].notna())
    frame["reason"] = frame["reason"].fillna(NOT_RECORDED)
    return frame


def loss_reasons(cur: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row per (competitor, reason) among lost deals: deals, amount, and share of that
    competitor's lost deals. The REASON_COLUMNS most frequent reasons keep their name, the
    rest are "Other reasons"; "(not recorded)" stays itself."""
    return lost_by_reason(_reasons(cur, filters), no_data(cur, filters))


def lost_by_reason(reasons: pd.DataFrame, gaps: dict[str, str]) -> pd.DataFrame:
    """loss_reasons from competitor_loss_reasons' rows (`_reasons`, kept by positioning as
    Positioning.reasons) and the page's missing inputs (`no_data`): no query of its own."""
    frame = reasons.copy()
    columns = ["competitor", "label", "reason", "count_deals", "lost_amount", "share_of_losses"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    recorded = frame[frame["reason"] != NOT_RECORDED]
    # Most lost deals first; ties alphabetical (groupby sorts by name, the sort is stable).
    ranked = recorded.groupby("reason")["count_deals"].sum()
    ranked = ranked.sort_values(ascending=False, kind="stable")
    kept = set(ranked.index[:REASON_COLUMNS])
    frame["reason"] = frame["reason"].where(
        frame["reason"].isin(kept) | (frame["reason"] == NOT_RECORDED), OTHER_REASONS
    )
    frame["label"] = frame["competitor"].map(_label)
    out = frame.groupby(["label", "reason"], as_index=False, sort=False).agg(
        competitor=("competitor", "first"),
        count_deals=("count_deals", "sum"),
        lost_amount=("lost_amount", "sum"),
    )
    if "competitor_amount" in gaps:
        out["lost_amount"] = float("nan")  # never mapped: unknown, not $0
    lost = out.groupby("label")["count_deals"].transform("sum")
    out["share_of_losses"] = measures.ratio(out["count_deals"], lost)
    order = [r for r in ranked.index if r in kept] + [OTHER_REASONS, NOT_RECORDED]
    out["reason"] = pd.Categorical(out["reason"], categories=order, ordered=True)
    out = out.sort_values(["label", "reason"]).reset_index(drop=True)
    out["reason"] = out["reason"].astype(str)
    return out[columns]


# --- where each competitor is strongest -------------------------------------------------


def by_segment(cur: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Win rate per (competitor, segment) with counts, against our win rate with no competitor
    in the same segment (segment_lift); is_weakest marks where each rival is strongest."""
    return segment_lift(queries.run(cur, "competitor_by_segment", filters.params()))


def segment_lift(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of competitor_by_segment (competitor, segment, count_won, count_lost) with rates,
    and for each named competitor's cell our win rate with no competitor in that segment
    (base_*), the lift (win rate against it - that base, in points) and its 95% margin
    (noise.share_change: binomial, both shares' variances).

    is_weakest marks, per named competitor, the one segment where the lift is lowest among
    those beyond noise (lift < -margin), both cells on at least MIN_COUNT closed deals: where
    it is strongest *because of it*, not where we lose more anyway (Enterprise is our weakest
    segment with no competitor at all). "(not set)" (no segment) is never marked: it is no
    place a competitor is strong in; neither is the no-competitor column (no one there)."""
    frame = frame.copy()
    frame["competitor"] = frame["competitor"].astype(object).where(frame["competitor"].notna())
    frame.insert(1, "label", frame["competitor"].map(_label))
    frame = _with_rates(frame)
    base = frame[frame["competitor"].isna()].set_index("segment")
    frame["base_won"] = frame["segment"].map(base["count_won"])
    frame["base_closed"] = frame["segment"].map(base["count_closed"])
    frame["base_rate"] = frame["segment"].map(base["win_rate"])
    lifts = [
        noise.share_change(r.count_won, r.count_closed, r.base_won, r.base_closed)
        if pd.notna(r.competitor)
        else None
        for r in frame.itertuples()
    ]
    frame["lift_margin"] = [None if x is None else x[0] for x in lifts]
    frame["lift"] = [None if x is None else x[1] for x in lifts]
    frame[["lift", "lift_margin"]] = frame[["lift", "lift_margin"]].astype(float)
    eligible = (
        frame["competitor"].notna()
        & (frame["segment"] != NOT_SET)
        & ~frame["is_small"]
        & (frame["base_closed"] >= MIN_COUNT)
        & (frame["lift"] < -frame["lift_margin"])
    )
    lowest = frame["lift"].where(eligible).groupby(frame["label"]).transform("min")
    frame["is_weakest"] = eligible & (frame["lift"] == lowest)
    # Only one mark per competitor: on a tie, the segment with more deals.
    marked = frame[frame["is_weakest"]].sort_values("count_closed", ascending=False)
    frame["is_weakest"] = frame.index.isin(marked.drop_duplicates("label").index)
    return frame


def segment_caption() -> str:
    """What the segment heat map's cells, colours and ▼ mean, in words."""
    return (
        "Each cell: our win rate against the competitor in that segment, then how many "
        "points it lies above or below our win rate on the deals of the same segment where no "
        "competitor was recorded (the last column), with its 95% margin, then the closed "
        "deals. Measured against that base, a segment where we lose more anyway does not make "
        "a rival look strong. ▼ marks, for each competitor, the segment with the largest drop "
        "beyond its margin; none when no drop is beyond noise (pale cells). “(not set)”: "
        f"deals whose account has no segment, never marked. Cells on fewer than {MIN_COUNT} "
        "closed deals show counts only."
    )


def lift_words(lift: float, margin: float) -> str:
    """'−30.0 pts (±13.2)': a lift in points with the minus sign and its 95% margin."""
    return f"{formatting.delta(lift / 100, 0, 'ratio')} (±{margin:.1f})"


# --- trend ------------------------------------------------------------------------------


def quarter_label(start: object) -> str:
    day = pd.Timestamp(start)
    return f"{day.year} Q{day.quarter}"


def by_quarter(
    cur: duckdb.DuckDBPyConnection, filters: Filters, whole_history: bool = False
) -> pd.DataFrame:
    """Win rate per (competitor, quarter closed), every quarter for every competitor (zeros
    where none closed). whole_history drops the period (other filters kept). is_partial marks
    quarters the period (or the data) covers only in part; is_small those under MIN_COUNT."""
    scope = replace(filters, start_date=None, end_date=None) if whole_history else filters
    frame = queries.run(cur, "competitor_by_quarter", scope.params())
    columns = ["competitor", "label", "quarter_start", "count_won", "count_lost"]
    if frame.empty:
        return _with_rates(pd.DataFrame(columns=columns)).assign(
            quarter="", is_partial=pd.Series(dtype=bool)
        )
    frame["competitor"] = frame["competitor"].astype(object).where(frame["competitor"].notna())
    frame["label"] = frame["competitor"].map(_label)
    quarters = pd.date_range(
        frame["quarter_start"].min(), frame["quarter_start"].max(), freq="QS"
    ).date
    who = frame.drop_duplicates("label")[["label", "competitor"]]
    grid = who.merge(pd.DataFrame({"quarter_start": quarters}), how="cross")
    frame["quarter_start"] = pd.to_datetime(frame["quarter_start"]).dt.date
    grid = grid.merge(frame[columns], on=["competitor", "label", "quarter_start"], how="left")
    grid[["count_won", "count_lost"]] = grid[["count_won", "count_lost"]].fillna(0).astype(int)
    grid = _with_rates(grid)
    first, last = _covered(cur, scope)
    starts = grid["quarter_start"]
    ends = [(pd.Timestamp(q) + pd.offsets.QuarterEnd(0)).date() for q in starts]
    grid["is_partial"] = [q < first or e > last for q, e in zip(starts, ends, strict=True)]
    grid["quarter"] = grid["quarter_start"].map(quarter_label)
    return grid


def _covered(cur: duckdb.DuckDBPyConnection, filters: Filters) -> tuple[date, date]:
    """The days the trend covers: the period, its open ends filled by the data's span."""
    first, last = data_span(cur)
    return filters.start_date or first, filters.end_date or last


def trend_choices(view: Positioning) -> list[str]:
    """Named competitors, most met first: the trend's choices (the first few by default)."""
    return view.named["label"].tolist()


# --- the CLI ----------------------------------------------------------------------------


def kpi_rows(cur: duckdb.DuckDBPyConnection, filters: Filters) -> list[dict[str, object]]:
    """`crm-dashboard kpis` "competitors": one row per competitor named on closed deals (most
    met first), then competitor None for closed deals naming none; win_rate 0-1 or None."""
    frame = _summary(cur, filters)
    return [
        {
            "competitor": None if pd.isna(row.competitor) else str(row.competitor),
            "deals": int(row.count_deals),
            "won": int(row.count_won),
            "lost": int(row.count_lost),
            "win_rate": _plain(row.win_rate),
        }
        for row in frame.itertuples()
    ]
