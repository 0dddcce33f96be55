"""The analyst's way without this product: pandas on the exported CSV files, for `bench`.

Each page function computes the page's metrics for one period with read_csv'd frames and
groupby/merge, the way a notebook would: no per-load summaries, no database. Reading the files
and computing are timed apart; the product is compared with the compute time only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

DATES = {
    "accounts": ["created_at"],
    "deals": ["created_at", "closed_at"],
    "deal_stage_history": ["entered_at"],
    "activities": ["occurred_at"],
    "orders": ["ordered_at"],
    "surveys": ["responded_at"],
    "tickets": ["opened_at", "first_response_at", "resolved_at"],
}


# Which export files (canonical tables) each page reads: pandas reads these, and the bench's
# yardstick (DuckDB's bare scan) scans the same tables.
PAGE_TABLES = {
    "overview": ("accounts", "deals", "orders", "surveys"),
    "funnel": ("accounts", "deals", "deal_stage_history", "orders"),
    "retention": ("accounts", "deals", "orders"),
    "satisfaction": ("accounts", "surveys", "orders", "tickets"),
    "competitors": ("accounts", "deals"),
    "health": ("accounts", "deals", "activities", "orders", "surveys", "tickets"),
}


def read(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{table}.csv", parse_dates=DATES[table])


def _closed(deals: pd.DataFrame, start, end) -> pd.DataFrame:
    closed = deals[deals["status"].isin(["won", "lost"])]
    return closed[(closed["closed_at"] >= start) & (closed["closed_at"] < end)]


def _win_rate(frame: pd.DataFrame) -> float:
    decided = len(frame)
    return float((frame["status"] == "won").sum() / decided) if decided else float("nan")


def _nps(scores: pd.Series) -> float:
    n = len(scores)
    return 100 * ((scores >= 9).sum() - (scores <= 6).sum()) / n if n else float("nan")


def _periods(start: pd.Timestamp, end: pd.Timestamp) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """The period and the one of equal length before it (the tiles' deltas)."""
    length = end - start
    return [(start, end), (start - length, start)]


def overview(f: dict[str, pd.DataFrame], start, end) -> dict[str, object]:
    deals, orders, surveys = f["deals"], f["orders"], f["surveys"]
    first_win = deals[deals["status"] == "won"].groupby("account_id")["closed_at"].min()
    first_order = orders.groupby("account_id")["ordered_at"].min()
    first = pd.concat([first_win, first_order], axis=1).min(axis=1)
    tiles = []
    for lo, hi in _periods(start, end):
        closed = _closed(deals, lo, hi)
        won = closed[closed["status"] == "won"]
        cycle = (won["closed_at"] - won["created_at"]).dt.total_seconds() / 86400
        open_at_end = deals[
            (deals["created_at"] < hi) & (deals["closed_at"].isna() | (deals["closed_at"] >= hi))
        ]
        answers = surveys[(surveys["responded_at"] >= lo) & (surveys["responded_at"] < hi)]
        nps = answers[answers["survey_type"] == "nps"]["score"]
        csat = answers[answers["survey_type"] == "csat"]["score"]
        tiles.append(
            {
                "won_amount": won["amount"].sum(),
                "win_rate": _win_rate(closed),
                "open_pipeline": open_at_end["amount"].sum(),
                "median_cycle_days": cycle.median(),
                "new_customers": int(((first >= lo) & (first < hi)).sum()),
                "nps": _nps(nps),
                "csat": (csat >= 4).mean() if len(csat) else float("nan"),
            }
        )
    closed = _closed(deals, start, end).assign(
        month=lambda d: d["closed_at"].dt.to_period("M"),
        won_amount=lambda d: d["amount"].where(d["status"] == "won", 0),
        is_won=lambda d: d["status"] == "won",
    )
    by_month = closed.groupby("month").agg(
        won_amount=("won_amount", "sum"), won=("is_won", "sum"), closed=("is_won", "size")
    )
    by_month["win_rate"] = by_month["won"] / by_month["closed"]
    return {"tiles": tiles, "by_month": by_month}


def funnel(f: dict[str, pd.DataFrame], start, end) -> dict[str, object]:
    deals, history, accounts = f["deals"], f["deal_stage_history"], f["accounts"]
    pipeline = deals["pipeline"].mode().iloc[0]
    made = deals[
        (deals["pipeline"] == pipeline)
        & (deals["created_at"] >= start)
        & (deals["created_at"] < end)
    ]
    stages = (
        history.merge(made[["deal_id", "stage", "status"]], on="deal_id", suffixes=("", "_now"))
        .groupby("stage")["entered_at"]
        .min()
        .sort_values()
    )
    order = {s: i for i, s in enumerate(stages.index, 1)}
    seen = history[history["deal_id"].isin(made["deal_id"])]
    seen = seen.assign(step=seen["stage"].map(order))
    deepest = seen.groupby("deal_id")["step"].max()
    current = made.set_index("deal_id")["stage"].map(order)
    top = max(order.values()) if order else 0
    reach = pd.concat([deepest, current], axis=1).max(axis=1)
    reach = reach.where(made.set_index("deal_id")["status"] != "won", top).fillna(1)
    reached = pd.Series({k: int((reach >= k).sum()) for k in range(1, top + 1)})
    steps = pd.DataFrame({"reached": reached})
    steps["of_previous"] = steps["reached"] / steps["reached"].shift(1)
    steps["of_first"] = steps["reached"] / steps["reached"].iloc[0] if len(steps) else np.nan
    ordered = seen.sort_values(["deal_id", "entered_at"])
    stay = ordered.groupby("deal_id")["entered_at"].shift(-1) - ordered["entered_at"]
    time_in_stage = (stay.dt.total_seconds() / 86400).groupby(ordered["stage"]).median()
    won = made[made["status"] == "won"]
    cycle = ((won["closed_at"] - won["created_at"]).dt.total_seconds() / 86400).median()
    with_segment = (
        pd.DataFrame({"reach": reach})
        .join(made.set_index("deal_id")["account_id"])
        .merge(accounts[["account_id", "segment"]], on="account_id", how="left")
    )
    breakdown = pd.DataFrame(
        {
            k: with_segment.groupby("segment")["reach"].apply(lambda r, k=k: (r >= k).sum())
            for k in range(1, top + 1)
        }
    )
    month = made.set_index("deal_id")["created_at"].dt.to_period("M")
    trend = (
        pd.DataFrame({"reach": reach, "month": month})
        .groupby("month")["reach"]
        .agg(created="size", won=lambda r: (r >= top).sum())
    )
    dropped = reach[(reach == 1)].index[:200]
    dropoff = made[made["deal_id"].isin(dropped)].nlargest(200, "amount")
    return {
        "steps": steps,
        "time_in_stage": time_in_stage,
        "cycle": cycle,
        "breakdown": breakdown,
        "trend": trend,
        "dropoff": dropoff,
    }


def retention(f: dict[str, pd.DataFrame], start, end) -> dict[str, object]:
    orders = f["orders"].dropna(subset=["account_id", "ordered_at"])
    month = orders["ordered_at"].dt.year * 12 + orders["ordered_at"].dt.month - 1
    orders = orders.assign(month=month)
    cohort = orders.groupby("account_id")["month"].min().rename("cohort")
    orders = orders.join(cohort, on="account_id")
    first, last = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
    orders = orders[(orders["cohort"] >= first) & (orders["cohort"] <= last)]
    orders = orders.assign(offset=orders["month"] - orders["cohort"])
    customers = orders.groupby(["cohort", "offset"])["account_id"].nunique().unstack()
    revenue = orders.groupby(["cohort", "offset"])["amount"].sum().unstack()
    logo = customers.div(customers[0], axis=0)
    money = revenue.div(revenue[0], axis=0)
    size = customers[0]
    average = logo.mul(size, axis=0).sum() / logo.notna().mul(size, axis=0).sum()
    in_period = orders[(orders["ordered_at"] >= start) & (orders["ordered_at"] < end)]
    active = in_period["account_id"].nunique()
    return {"logo": logo, "revenue": money, "average": average, "active": active}


def satisfaction(f: dict[str, pd.DataFrame], start, end) -> dict[str, object]:
    surveys, accounts, orders = f["surveys"], f["accounts"], f["orders"]
    answers = surveys[(surveys["responded_at"] >= start) & (surveys["responded_at"] < end)]
    answers = answers.merge(accounts[["account_id", "segment"]], on="account_id", how="left")
    nps = answers[answers["survey_type"] == "nps"]
    headline = {
        "nps": _nps(nps["score"]),
        "csat": (answers[answers["survey_type"] == "csat"]["score"] >= 4).mean(),
        "ces": answers[answers["survey_type"] == "ces"]["score"].mean(),
    }
    trend = nps.groupby(nps["responded_at"].dt.to_period("M"))["score"].agg(
        nps=_nps, responses="size"
    )
    breakdown = nps.groupby("segment")["score"].agg(nps=_nps, responses="size")
    later = nps[["account_id", "responded_at", "score"]].merge(
        orders[["account_id", "ordered_at", "amount"]], on="account_id"
    )
    window = (later["ordered_at"] > later["responded_at"]) & (
        later["ordered_at"] <= later["responded_at"] + pd.Timedelta(days=90)
    )
    later = later[window]
    kind = pd.cut(nps["score"], [-1, 6, 8, 10], labels=["detractor", "passive", "promoter"])
    bought = later.groupby(["account_id", "responded_at"])["amount"].sum()
    behaviour = (
        nps.assign(kind=kind)
        .join(bought.rename("bought"), on=["account_id", "responded_at"])
        .groupby("kind", observed=True)["bought"]
        .agg(lambda b: b.notna().mean())
    )
    verbatims = answers[answers["comment"].notna()].nlargest(100, "responded_at")
    return {
        "headline": headline,
        "trend": trend,
        "breakdown": breakdown,
        "behaviour": behaviour,
        "verbatims": verbatims,
    }


def competitors(f: dict[str, pd.DataFrame], start, end) -> dict[str, object]:
    deals, accounts = f["deals"], f["accounts"]
    closed = _closed(deals, start, end).merge(
        accounts[["account_id", "segment"]], on="account_id", how="left"
    )
    names = closed["competitor"].fillna("").str.split(r"[;,]")
    met = closed.assign(competitor=names).explode("competitor")
    met["competitor"] = met["competitor"].str.strip().replace("", "no competitor recorded")
    met["is_won"] = met["status"] == "won"
    met["cycle"] = (met["closed_at"] - met["created_at"]).dt.total_seconds() / 86400
    met["won_amount"] = met["amount"].where(met["is_won"], 0)
    met["lost_amount"] = met["amount"].where(~met["is_won"], 0)
    summary = met.groupby("competitor").agg(
        deals=("deal_id", "nunique"),
        won=("is_won", "sum"),
        won_amount=("won_amount", "sum"),
        lost_amount=("lost_amount", "sum"),
    )
    summary["win_rate"] = summary["won"] / summary["deals"]
    summary["median_cycle"] = met[met["is_won"]].groupby("competitor")["cycle"].median()
    by_segment = met.groupby(["competitor", "segment"])["is_won"].agg(["mean", "size"])
    quarter = met["closed_at"].dt.to_period("Q")
    by_quarter = met.groupby(["competitor", quarter])["is_won"].agg(["mean", "size"])
    reasons = (
        met[~met["is_won"]]
        .groupby(["competitor", "loss_reason"])
        .size()
        .groupby(level=0)
        .nlargest(3)
    )
    recorded = (closed["competitor"].fillna("") != "").mean()
    return {
        "summary": summary,
        "by_segment": by_segment,
        "by_quarter": by_quarter,
        "reasons": reasons,
        "recorded": recorded,
    }


def health(f: dict[str, pd.DataFrame], start, end) -> dict[str, object]:
    accounts, deals, acts = f["accounts"], f["deals"], f["activities"]
    orders, surveys, tickets = f["orders"], f["surveys"], f["tickets"]
    in_period = acts[(acts["occurred_at"] >= start) & (acts["occurred_at"] < end)]
    recent = acts[
        (acts["occurred_at"] >= end - pd.Timedelta(days=90)) & (acts["occurred_at"] < end)
    ]
    per_account = pd.DataFrame(
        {
            "touches": in_period.groupby("account_id").size(),
            "channels": in_period.groupby("account_id")["type"].nunique(),
            "departments_90d": recent.groupby("account_id")["department"].nunique(),
            "personalized": in_period.groupby("account_id")["is_personalized"].mean(),
        }
    )
    bought = orders[(orders["ordered_at"] >= start) & (orders["ordered_at"] < end)]
    per_account["products"] = bought.groupby("account_id")["product"].nunique()
    answered = surveys[(surveys["responded_at"] >= start) & (surveys["responded_at"] < end)]
    per_account["surveyed"] = answered.groupby("account_id").size()
    nps = answered[answered["survey_type"] == "nps"]
    votes = pd.DataFrame(
        {
            "account_id": nps["account_id"],
            "net": (nps["score"] >= 9).astype(int) - (nps["score"] <= 6).astype(int),
        }
    )
    per_account["nps"] = 100 * votes.groupby("account_id")["net"].mean()
    per_account = accounts.set_index("account_id")[["segment", "industry", "region", "owner"]].join(
        per_account
    )
    closed = _closed(deals, start, end)
    partner = closed[closed["source"].isin(["Partner", "Referral"])]
    opened = tickets[(tickets["opened_at"] >= start) & (tickets["opened_at"] < end)]
    first_response = (opened["first_response_at"] - opened["opened_at"]).dt.total_seconds() / 3600
    overall = {
        "complete_profiles": per_account[["segment", "industry", "region", "owner"]]
        .notna()
        .all(axis=1)
        .mean(),
        "touches_per_active_month": per_account["touches"].mean() / 12,
        "touched_90d": recent["account_id"].nunique() / len(accounts),
        "two_departments": (per_account["departments_90d"] >= 2).mean(),
        "two_products": (per_account["products"] >= 2).mean(),
        "survey_coverage": per_account["surveyed"].notna().mean(),
        "partner_share": len(partner) / max(len(closed), 1),
        "partner_win_rate": _win_rate(partner),
        "win_rate": _win_rate(closed),
        "median_first_response_h": first_response.median(),
    }
    segments = per_account.groupby("segment").agg(
        touches=("touches", "mean"), products=("products", "mean"), surveyed=("surveyed", "count")
    )
    month = in_period["occurred_at"].dt.to_period("M")
    monthly = in_period.groupby(month).agg(
        touches=("activity_id", "size"), accounts=("account_id", "nunique")
    )
    return {"overall": overall, "segments": segments, "accounts": per_account, "monthly": monthly}


PAGES: dict[str, Callable] = {
    "overview": overview,
    "funnel": funnel,
    "retention": retention,
    "satisfaction": satisfaction,
    "competitors": competitors,
    "health": health,
}


# Peak memory of the pandas way per byte of CSV it reads: 3.8 GB at scale 50 for 1.5 GB of
# files (measured 3 Dec 2026, VmHWM of run_all over every page), rounded up.
MEMORY_PER_CSV_BYTE = 2.6


def run_all(
    folder: Path, start_date: str, end_date: str, pages: Iterable[str] = tuple(PAGES)
) -> dict[str, dict[str, object]]:
    """Per page of `pages`: read_ms (read_csv of the page's files) and compute_ms (its
    metrics); a page whose frames would not fit in the memory available is not run (at scale
    500 the health page's files alone would need ~25 GB): {"skipped": why}."""
    start = pd.Timestamp(start_date)
    end = pd.Timestamp(end_date) + pd.Timedelta(days=1)  # the period ends at the end of its day
    out: dict[str, dict[str, object]] = {}
    for page in pages:
        need = MEMORY_PER_CSV_BYTE * sum(
            (folder / f"{t}.csv").stat().st_size for t in PAGE_TABLES[page]
        )
        free = available_memory()
        if free is not None and need > 0.8 * free:
            out[page] = {
                "skipped": f"pandas would need ~{need / 1024**3:.1f} GB for this page's files "
                f"and {free / 1024**3:.1f} GB is available"
            }
            continue
        compute = PAGES[page]
        t0 = time.perf_counter()
        frames = {t: read(folder, t) for t in PAGE_TABLES[page]}
        t1 = time.perf_counter()
        compute(frames, start, end)
        t2 = time.perf_counter()
        out[page] = {"read_ms": (t1 - t0) * 1000, "compute_ms": (t2 - t1) * 1000}
        del frames
    return out


def available_memory() -> int | None:
    """Bytes the machine can give without swapping (MemAvailable), None off Linux."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None
