"""A deterministic, believable B2B company over three years, as canonical-table DataFrames.

Same `scale` and `seed` give the same rows, byte for byte. Scale 1 is about 2,000 accounts,
20,000 deals, 200,000 activities, 50,000 orders; every count grows linearly with `scale`.
Everything is vectorised with NumPy so that scale 50 (a million deals) stays a matter of seconds.

What makes it believable (and what the pages should be able to find in it):
- a growing company: more deals each quarter, win rate slowly improving;
- losses at every stage, slower cycles for enterprise, partner/referral deals that win more;
- five competitors with clearly different win rates; Dynalytics hurts less over time;
- customers who churn, customers who keep buying, satisfaction that drives both;
- NPS rising over the three years; CSAT that falls when tickets take long to resolve;
- the messiness real exports have: missing industries and owners, lost deals with amount 0,
  deals with no stage history, competitors separated by ';' or ','.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

START = np.datetime64("2023-11-01T00:00:00", "s")
END = np.datetime64("2026-10-31T23:59:59", "s")
DAY = np.timedelta64(86_400, "s")
SPAN_DAYS = float((END - START) / DAY)

SEGMENTS = np.array(["SMB", "Mid-Market", "Enterprise"])
SEGMENT_P = [0.55, 0.30, 0.15]
REGIONS = {
    "North America": ["United States", "Canada"],
    "EMEA": ["United Kingdom", "Germany", "France", "Netherlands", "Sweden"],
    "APAC": ["Australia", "Japan", "Singapore", "India"],
    "LATAM": ["Brazil", "Mexico", "Chile"],
}
REGION_P = [0.45, 0.30, 0.15, 0.10]
INDUSTRIES = np.array(
    [
        "Software",
        "Manufacturing",
        "Healthcare",
        "Financial Services",
        "Retail",
        "Education",
        "Logistics",
        "Media",
    ]
)
OWNERS = {
    "North America": ["Avery Brooks", "Jordan Lee", "Morgan Diaz", "Taylor Nguyen"],
    "EMEA": ["Sophie Martin", "Lukas Weber", "Emma Jansen"],
    "APAC": ["Hiro Tanaka", "Priya Nair"],
    "LATAM": ["Camila Rocha", "Diego Herrera"],
}
PRODUCTS = np.array(["Analytics Cloud", "Data Connectors", "Insights Pro", "Support Plus"])
PRODUCT_P = [0.45, 0.2, 0.25, 0.10]
SOURCES = np.array(["Inbound", "Outbound", "Partner", "Referral", "Event", "Paid Search"])
SOURCE_P = [0.30, 0.25, 0.12, 0.10, 0.10, 0.13]
SOURCE_BOOST = np.array([1.0, 0.97, 1.07, 1.09, 0.99, 0.96])

# Competitor, how hard they are to beat in late stages, and how that changes per year.
COMPETITORS = np.array(["Acmetrics", "Brightfield", "Corvia", "Dynalytics", "Evergrid"])
COMPETITOR_P = [0.30, 0.22, 0.18, 0.18, 0.12]
COMPETITOR_STRENGTH = np.array([0.55, 0.85, 1.0, 0.68, 1.12])
COMPETITOR_TREND = np.array([0.0, 0.0, 0.0, 0.12, 0.0])


@dataclass(frozen=True)
class Pipeline:
    name: str
    stages: tuple[str, ...]  # open stages in order; "Closed Won" / "Closed Lost" follow
    mean_days: tuple[float, ...]
    advance_p: tuple[float, ...]
    probability: tuple[float, ...]


SALES = Pipeline(
    "Sales Pipeline",
    ("Prospecting", "Qualification", "Needs Analysis", "Proposal", "Negotiation"),
    (9.0, 12.0, 16.0, 18.0, 14.0),
    (0.72, 0.74, 0.78, 0.74, 0.76),
    (0.10, 0.20, 0.35, 0.55, 0.75),
)
EXPANSION = Pipeline(
    "Expansion",
    ("Discovery", "Proposal", "Negotiation"),
    (10.0, 14.0, 10.0),
    (0.85, 0.82, 0.85),
    (0.30, 0.60, 0.80),
)
PIPELINES = (SALES, EXPANSION)
SEGMENT_SPEED = np.array([0.6, 1.0, 1.8])  # cycle length multiplier by segment
SEGMENT_AMOUNT = np.array([8_000.0, 35_000.0, 150_000.0])  # median deal size

EARLY_LOSS = np.array(["No budget", "No decision", "Bad fit", "Timing", "Unresponsive"])
LATE_LOSS = np.array(["Price", "Missing feature", "No decision", "Timing", "Chose in-house"])

PROMOTER_COMMENTS = [
    "Dashboards save our team hours every week.",
    "Support answers fast and knows the product.",
    "The Salesforce connector just works.",
    "Best onboarding we have had from a vendor.",
    "Forecasts finally match what closes.",
    "Our managers use it every Monday.",
]
PASSIVE_COMMENTS = [
    "Good product, a few reports are slow.",
    "Does what we need, pricing is steep.",
    "Fine overall; exports could be easier.",
    "Useful, but the mobile view is limited.",
]
DETRACTOR_COMMENTS = [
    "Too expensive for what we use.",
    "Onboarding took far too long.",
    "Reports time out on large accounts.",
    "Missing the HubSpot sync we were promised.",
    "Support tickets sit for days.",
    "We are evaluating alternatives.",
]
CSAT_COMMENTS = {
    "low": ["Issue still not fixed.", "Had to explain the problem three times.", "Slow reply."],
    "high": ["Quick and friendly help.", "Solved on the first call.", "Clear explanation."],
}


def generate(scale: float = 1.0, seed: int = 7) -> dict[str, pd.DataFrame]:
    """All canonical tables for a company `scale` times the default size."""
    if not scale > 0:
        raise ValueError("scale must be a positive number, e.g. 1 or 0.1")
    rng = np.random.default_rng(seed)
    accounts, acc = _accounts(rng, max(20, round(2_000 * scale)))
    deals, history, won = _deals(rng, acc, max(100, round(20_000 * scale)))
    accounts["created_at"] = _created_before_first_deal(rng, accounts, deals)
    orders, customers = _orders(rng, acc, won)
    tickets = _tickets(rng, customers)
    return {
        "accounts": accounts,
        "pipeline_stages": _pipeline_stages(),
        "deals": deals,
        "deal_stage_history": history,
        "activities": _activities(rng, acc, deals, customers),
        "orders": orders,
        "surveys": _surveys(rng, customers, tickets),
        "tickets": tickets.drop(columns=["health"]),
    }


def _ids(prefix: str, n: int) -> np.ndarray:
    width = max(6, len(str(n)))
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width))


def _days(x: np.ndarray) -> np.ndarray:
    """Float days -> timedelta64[s]."""
    return (np.asarray(x) * 86_400).astype("int64").astype("timedelta64[s]")


def _ts(values: np.ndarray) -> pd.Series:
    return pd.Series(values.astype("datetime64[s]")).astype("datetime64[us]")


def _growth_dates(rng: np.random.Generator, n: int, lo_days: np.ndarray) -> np.ndarray:
    """Days since START with density rising ~35% a year, never before lo_days."""
    # Inverse CDF of a density rising linearly to twice its starting value: sqrt(1 + 3u) - 1.
    frac = np.sqrt(1 + 3 * rng.random(n)) - 1
    lo = np.clip(lo_days, 0, SPAN_DAYS - 1)
    return lo + frac * (SPAN_DAYS - lo)


def _accounts(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    seg = rng.choice(3, n, p=SEGMENT_P)
    region_names = np.array(list(REGIONS))
    reg = rng.choice(len(region_names), n, p=REGION_P)
    country = np.array([rng.choice(REGIONS[region_names[r]]) for r in reg])
    owner = np.array(
        [OWNERS[region_names[r]][rng.integers(len(OWNERS[region_names[r]]))] for r in reg],
        dtype=object,
    )
    employees = np.round(np.exp(rng.normal(np.log([40, 600, 8_000])[seg], 0.6))).astype(int) + 2
    revenue = np.round(employees * rng.uniform(90_000, 260_000, n), -3)
    created_days = rng.uniform(-400, SPAN_DAYS - 90, n)
    industry = INDUSTRIES[rng.integers(len(INDUSTRIES), size=n)].astype(object)
    industry[rng.random(n) < 0.08] = None  # incomplete profiles are a real thing
    owner[rng.random(n) < 0.03] = None
    health = rng.normal(0, 1, n)  # latent: drives satisfaction, churn and repeat buying
    ids = _ids("ACC-", n)
    frame = pd.DataFrame(
        {
            "account_id": ids,
            "account_name": _company_names(rng, n),
            "segment": SEGMENTS[seg],
            "industry": industry,
            "region": region_names[reg],
            "country": country,
            "employees": employees,
            "annual_revenue": revenue,
            "owner": owner,
            "created_at": _ts(START + _days(created_days)),
        }
    )
    internal = pd.DataFrame(
        {
            "account_id": ids,
            "name": frame["account_name"],
            "seg": seg,
            "owner": owner,
            "health": health,
            "created_days": created_days,
        }
    )
    return frame, internal


def _created_before_first_deal(rng, accounts: pd.DataFrame, deals: pd.DataFrame) -> pd.Series:
    """An account exists in the CRM before its first deal: a few days to two months before."""
    first_deal = accounts["account_id"].map(deals.groupby("account_id")["created_at"].min())
    lead_time = pd.to_timedelta(rng.uniform(1, 60, len(accounts)), unit="D").round("s")
    return accounts["created_at"].where(
        first_deal.isna() | (accounts["created_at"] <= first_deal - lead_time),
        first_deal - lead_time,
    )


def _company_names(rng: np.random.Generator, n: int) -> np.ndarray:
    first = [
        "Blue",
        "North",
        "Silver",
        "Bright",
        "Red",
        "Green",
        "Iron",
        "Swift",
        "Clear",
        "Summit",
        "River",
        "Oak",
        "Star",
        "Cedar",
        "Harbor",
        "Nova",
        "Pine",
        "Stone",
        "Golden",
        "Maple",
        "Atlas",
        "Falcon",
        "Crystal",
        "Echo",
        "Lumen",
    ]
    second = [
        "field",
        "point",
        "bridge",
        "wave",
        "stone",
        "line",
        "gate",
        "path",
        "works",
        "leaf",
        "peak",
        "view",
        "ridge",
        "light",
        "core",
        "forge",
        "mark",
        "dale",
    ]
    suffix = ["Inc.", "Ltd", "GmbH", "Group", "Labs", "Systems", "Partners", "Co."]
    combos = len(first) * len(second) * len(suffix)
    k = rng.permutation(max(n, combos))[:n]
    base = np.array(
        [f"{first[i % 25]}{second[(i // 25) % 18]} {suffix[(i // 450) % 8]}" for i in k % combos]
    )
    dup = k >= combos  # beyond 3,600 names, number the repeats as real CRMs do
    base[dup] = np.char.add(base[dup], np.char.add(" #", (k[dup] // combos).astype(str)))
    return base


def _pipeline_stages() -> pd.DataFrame:
    rows = []
    for p in PIPELINES:
        for order, (stage, prob) in enumerate(zip(p.stages, p.probability, strict=True), 1):
            rows.append((p.name, stage, order, "open", prob))
        rows.append((p.name, "Closed Won", len(p.stages) + 1, "won", 1.0))
        rows.append((p.name, "Closed Lost", len(p.stages) + 2, "lost", 0.0))
    return pd.DataFrame(rows, columns=["pipeline", "stage", "stage_order", "status", "probability"])


def _deals(rng, acc: pd.DataFrame, n: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    created = _growth_dates(rng, n, np.zeros(n))
    a = _pick_existing_accounts(rng, acc, created)
    seg = acc["seg"].to_numpy()[a]
    is_expansion = rng.random(n) < 0.15
    source = rng.choice(len(SOURCES), n, p=SOURCE_P)
    has_comp = rng.random(n) < np.array([0.45, 0.6, 0.75])[seg]
    comp = rng.choice(len(COMPETITORS), n, p=COMPETITOR_P)
    comp2 = (comp + rng.integers(1, len(COMPETITORS), n)) % len(COMPETITORS)
    two = has_comp & (rng.random(n) < 0.15)
    years = created / 365.0
    strength = np.where(has_comp, COMPETITOR_STRENGTH[comp] + COMPETITOR_TREND[comp] * years, 1.0)
    strength = np.where(two, strength * COMPETITOR_STRENGTH[comp2], strength)

    frames, histories = [], []
    for p, mask in ((SALES, ~is_expansion), (EXPANSION, is_expansion)):
        idx = np.flatnonzero(mask)
        f, h = _walk_pipeline(
            rng, p, idx, created[idx], seg[idx], source[idx], strength[idx], years[idx]
        )
        frames.append(f)
        histories.append(h)
    walk = pd.concat(frames).sort_values("i", kind="stable").reset_index(drop=True)
    history = pd.concat(histories, ignore_index=True)

    product = rng.choice(len(PRODUCTS), n, p=PRODUCT_P)
    amount = np.exp(rng.normal(np.log(SEGMENT_AMOUNT[seg]), 0.55))
    amount = np.round(np.where(is_expansion, amount * 0.4, amount), -2)
    amount = amount.astype(object)
    lost = walk["status"].to_numpy() == "lost"
    amount[lost & (rng.random(n) < 0.04)] = 0.0  # "a lost deal with amount 0 instead of empty"
    amount[rng.random(n) < 0.01] = None
    comp_text = np.where(has_comp, COMPETITORS[comp], None).astype(object)
    sep = np.where(rng.random(n) < 0.5, "; ", ", ")
    comp_text[two] = np.char.add(
        np.char.add(COMPETITORS[comp[two]], sep[two]), COMPETITORS[comp2[two]]
    )
    lost_at_late = walk["lost_stage_index"].to_numpy() >= 2
    loss = np.where(
        lost_at_late, LATE_LOSS[rng.integers(5, size=n)], EARLY_LOSS[rng.integers(5, size=n)]
    ).astype(object)
    to_comp = lost & has_comp & lost_at_late & (rng.random(n) < 0.6)
    loss[to_comp] = "Lost to competitor"
    loss[~lost] = None
    owners = acc["owner"].to_numpy()[a].copy()
    reassign = rng.random(n) < 0.1
    all_owners = np.array(sum(OWNERS.values(), []))
    owners[reassign] = all_owners[rng.integers(len(all_owners), size=reassign.sum())]
    ids = _ids("DEAL-", n)
    names = np.char.add(
        np.char.add(acc["name"].to_numpy()[a].astype(str), " · "), PRODUCTS[product]
    )
    deals = pd.DataFrame(
        {
            "deal_id": ids,
            "account_id": acc["account_id"].to_numpy()[a],
            "deal_name": names,
            "pipeline": np.where(is_expansion, EXPANSION.name, SALES.name),
            "stage": walk["stage"].to_numpy(),
            "status": walk["status"].to_numpy(),
            "amount": pd.array(amount, dtype="Float64"),
            "currency": "USD",
            "created_at": _ts(START + _days(created)),
            "closed_at": _ts(walk["closed_at"].to_numpy()),
            "owner": owners,
            "source": SOURCES[source],
            "product": PRODUCTS[product],
            "competitor": comp_text,
            "loss_reason": loss,
        }
    )
    deal_index = history.pop("i").to_numpy()
    history["deal_id"] = ids[deal_index]
    # 2% of deals come without history, as when the CRM only exported current stage. Masked by
    # deal position: np.isin on text ids compares every pair (hours at a million deals).
    no_history = rng.random(n) < 0.02
    history = history[~no_history[deal_index]].reset_index(drop=True)
    won = deals.loc[
        deals["status"] == "won", ["deal_id", "account_id", "amount", "closed_at", "product"]
    ].copy()
    won["a"] = a[deals["status"].to_numpy() == "won"]
    return deals, history, won


def _pick_existing_accounts(rng, acc: pd.DataFrame, deal_days: np.ndarray) -> np.ndarray:
    """An account per deal, among accounts of a segment already in the CRM on the deal's day,
    so new accounts (and new customers) keep arriving; bigger segments buy more often."""
    seg_all = acc["seg"].to_numpy()
    weights = np.array([0.8, 1.5, 2.2]) * np.bincount(seg_all, minlength=3)
    seg = rng.choice(3, len(deal_days), p=weights / weights.sum())
    picked = np.empty(len(deal_days), dtype=int)
    for s in range(3):
        members = np.flatnonzero(seg_all == s)
        members = members[np.argsort(acc["created_days"].to_numpy()[members], kind="stable")]
        mine = np.flatnonzero(seg == s)
        existing = np.searchsorted(acc["created_days"].to_numpy()[members], deal_days[mine])
        picked[mine] = members[(rng.random(len(mine)) * np.maximum(existing, 1)).astype(int)]
    return picked


def _walk_pipeline(rng, p: Pipeline, idx, created, seg, source, strength, years):
    """Move each deal stage by stage until it is won, lost, or still open at END."""
    m = len(idx)
    t = created.copy()
    stage_i = np.zeros(m, dtype=int)
    status = np.full(m, "open", dtype=object)
    closed = np.full(m, np.nan)
    lost_stage = np.full(m, -1)
    active = np.ones(m, dtype=bool)
    hist_i, hist_stage, hist_t = [idx], np.full(m, p.stages[0], dtype=object), [created]
    hist_stages = [hist_stage]
    n_open = len(p.stages)
    for k in range(n_open):
        late = k >= n_open - 2
        prob = p.advance_p[k] * SOURCE_BOOST[source] * (1 + 0.03 * years)
        prob = prob * np.where(late, strength**0.5, 1.0) * np.array([1.02, 1.0, 0.97])[seg]
        dur = rng.gamma(2.0, p.mean_days[k] * SEGMENT_SPEED[seg] / 2.0)
        nxt = t + dur
        still_open = active & (nxt > SPAN_DAYS)
        active &= ~still_open
        advance = active & (rng.random(m) < np.clip(prob, 0, 0.98))
        lose = active & ~advance
        status[lose], closed[lose], lost_stage[lose] = "lost", nxt[lose], k
        t = np.where(advance, nxt, t)
        if k + 1 < n_open:
            stage_i[advance] = k + 1
            skipped = advance & (rng.random(m) < 0.04)  # reps skip a stage now and then
            keep = advance & ~skipped
            hist_i.append(idx[keep])
            hist_stages.append(np.full(keep.sum(), p.stages[k + 1], dtype=object))
            hist_t.append(nxt[keep])
        else:
            status[advance], closed[advance] = "won", nxt[advance]
        active = advance
    stage = np.array(p.stages, dtype=object)[stage_i]
    stage[status == "won"] = "Closed Won"
    stage[status == "lost"] = "Closed Lost"
    for label, final in (("won", "Closed Won"), ("lost", "Closed Lost")):
        done = status == label
        hist_i.append(idx[done])
        hist_stages.append(np.full(done.sum(), final, dtype=object))
        hist_t.append(closed[done])
    closed_ts = np.where(
        np.isnan(closed), np.datetime64("NaT", "s"), START + _days(np.nan_to_num(closed))
    )
    frame = pd.DataFrame(
        {
            "i": idx,
            "stage": stage,
            "status": status,
            "closed_at": closed_ts,
            "lost_stage_index": lost_stage,
        }
    )
    history = pd.DataFrame(
        {
            "i": np.concatenate(hist_i),
            "stage": np.concatenate(hist_stages),
            "entered_at": _ts(START + _days(np.concatenate(hist_t))),
        }
    )
    return frame, history


def _orders(rng, acc: pd.DataFrame, won: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A first order per won deal, then repeat orders until the customer churns."""
    first_days = (
        (won["closed_at"].to_numpy() - START.astype("datetime64[us]")) / np.timedelta64(1, "D")
    ) + rng.uniform(0, 10, len(won))
    first = pd.DataFrame({"a": won["a"].to_numpy(), "d": first_days})
    # A tenth of customers buy self-serve with no deal at all.
    n_self = len(acc) // 10
    self_serve = pd.DataFrame(
        {
            "a": rng.integers(len(acc), size=n_self),
            "d": _growth_dates(rng, n_self, np.zeros(n_self)),
        }
    )
    starts = pd.concat([first, self_serve]).groupby("a", sort=True)["d"].min()
    cust_a = starts.index.to_numpy()
    seg = acc["seg"].to_numpy()[cust_a]
    health = acc["health"].to_numpy()[cust_a]
    lifetime = rng.exponential(np.array([330.0, 620.0, 900.0])[seg] * np.exp(0.45 * health))
    churn = starts.to_numpy() + lifetime
    active_end = np.minimum(churn, SPAN_DAYS)
    rate = np.array([2.6, 3.0, 2.2])[seg] / 30.4  # repeat orders per day while active
    n_rep = rng.poisson(rate * np.maximum(active_end - starts.to_numpy(), 0))
    rep_c = np.repeat(np.arange(len(cust_a)), n_rep)
    rep_d = starts.to_numpy()[rep_c] + rng.random(len(rep_c)) * (
        active_end[rep_c] - starts.to_numpy()[rep_c]
    )
    rep_product = rng.choice(len(PRODUCTS), len(rep_c), p=PRODUCT_P)
    rep_qty = rng.integers(1, 25, len(rep_c))
    unit = np.round(np.exp(rng.normal(np.log(SEGMENT_AMOUNT[seg[rep_c]] / 60), 0.4)), 2)
    deal_orders = pd.DataFrame(
        {
            "account_id": won["account_id"].to_numpy(),
            "d": first_days,
            "amount": won["amount"].fillna(0).to_numpy(dtype=float),
            "product": won["product"],
            "quantity": 1.0,
        }
    )
    repeat = pd.DataFrame(
        {
            "account_id": acc["account_id"].to_numpy()[cust_a[rep_c]],
            "d": rep_d,
            "amount": np.round(unit * rep_qty, 2),
            "product": PRODUCTS[rep_product],
            "quantity": rep_qty.astype(float),
        }
    )
    self_first = pd.DataFrame(
        {
            "account_id": acc["account_id"].to_numpy()[self_serve["a"].to_numpy()],
            "d": self_serve["d"].to_numpy(),
            "amount": np.round(rng.uniform(500, 4_000, n_self), 2),
            "product": PRODUCTS[rng.choice(len(PRODUCTS), n_self, p=PRODUCT_P)],
            "quantity": 1.0,
        }
    )
    orders = pd.concat([deal_orders, repeat, self_first], ignore_index=True)
    orders = orders[orders["d"] <= SPAN_DAYS].sort_values("d", kind="stable").reset_index(drop=True)
    orders.insert(0, "order_id", _ids("ORD-", len(orders)))
    orders["ordered_at"] = _ts(START + _days(orders.pop("d").to_numpy()))
    customers = pd.DataFrame(
        {
            "a": cust_a,
            "account_id": acc["account_id"].to_numpy()[cust_a],
            "seg": seg,
            "health": health,
            "start": starts.to_numpy(),
            "end": active_end,
        }
    )
    return orders, customers


def _tickets(rng, customers: pd.DataFrame) -> pd.DataFrame:
    months = np.maximum(customers["end"] - customers["start"], 0).to_numpy() / 30.4
    n_t = rng.poisson(months * np.array([0.35, 0.6, 1.1])[customers["seg"].to_numpy()])
    c = np.repeat(np.arange(len(customers)), n_t)
    opened = customers["start"].to_numpy()[c] + rng.random(len(c)) * (
        customers["end"].to_numpy()[c] - customers["start"].to_numpy()[c]
    )
    priority = rng.choice(
        np.array(["low", "normal", "high", "urgent"]), len(c), p=[0.3, 0.45, 0.2, 0.05]
    )
    hours_first = rng.gamma(1.5, np.where(np.isin(priority, ["high", "urgent"]), 1.5, 6.0))
    resolve_days = rng.gamma(1.2, 2.0 * np.exp(-0.25 * customers["health"].to_numpy()[c]))
    resolved = opened + resolve_days
    resolved_ts = np.where(
        resolved > SPAN_DAYS,
        np.datetime64("NaT", "s"),
        START + _days(np.minimum(resolved, SPAN_DAYS)),
    )
    order = np.argsort(opened, kind="stable")
    frame = pd.DataFrame(
        {
            "ticket_id": _ids("TCK-", len(c)),
            "account_id": customers["account_id"].to_numpy()[c][order],
            "opened_at": _ts((START + _days(opened))[order]),
            "first_response_at": _ts((START + _days(opened + hours_first / 24))[order]),
            "resolved_at": _ts(resolved_ts[order]),
            "channel": rng.choice(
                np.array(["email", "chat", "phone", "portal"]), len(c), p=[0.4, 0.3, 0.15, 0.15]
            )[order],
            "priority": priority[order],
        }
    )
    frame["health"] = customers["health"].to_numpy()[c][order]
    return frame


def _activities(rng, acc: pd.DataFrame, deals: pd.DataFrame, customers: pd.DataFrame):
    """Sales touches on deals, success/service touches on customers, marketing on everyone."""
    start_days = (deals["created_at"].to_numpy() - START.astype("datetime64[us]")) / DAY
    end_days = np.where(
        deals["closed_at"].isna(),
        SPAN_DAYS,
        (deals["closed_at"].to_numpy() - START.astype("datetime64[us]")) / DAY,
    )
    length = np.maximum(np.nan_to_num(end_days - start_days), 1)
    n_sales = rng.poisson(2 + length / 8)
    d = np.repeat(np.arange(len(deals)), n_sales)
    account_of = pd.Series(acc["account_id"].to_numpy())
    sales = pd.DataFrame(
        {
            "account_id": deals["account_id"].to_numpy()[d],
            "deal_id": deals["deal_id"].to_numpy()[d],
            "type": rng.choice(
                np.array(["email", "call", "meeting", "chat"]), len(d), p=[0.45, 0.3, 0.2, 0.05]
            ),
            "department": np.where(rng.random(len(d)) < 0.93, "sales", "partner"),
            "d": start_days[d] + rng.random(len(d)) * length[d],
            "owner": deals["owner"].to_numpy()[d],
        }
    )
    months = np.maximum(customers["end"] - customers["start"], 0).to_numpy() / 30.4
    n_cs = rng.poisson(months * 1.6)
    c = np.repeat(np.arange(len(customers)), n_cs)
    success = pd.DataFrame(
        {
            "account_id": customers["account_id"].to_numpy()[c],
            "deal_id": None,
            "type": rng.choice(
                np.array(["email", "meeting", "call", "chat"]), len(c), p=[0.4, 0.25, 0.2, 0.15]
            ),
            "department": rng.choice(np.array(["success", "service"]), len(c), p=[0.6, 0.4]),
            "d": customers["start"].to_numpy()[c] + rng.random(len(c)) * months[c] * 30.4,
            "owner": acc["owner"].to_numpy()[customers["a"].to_numpy()[c]],
        }
    )
    n_mkt = round(len(acc) * 22)
    m = rng.integers(len(acc), size=n_mkt)
    marketing = pd.DataFrame(
        {
            "account_id": account_of.to_numpy()[m],
            "deal_id": None,
            "type": rng.choice(
                np.array(["email", "social", "event", "webinar"]), n_mkt, p=[0.6, 0.2, 0.1, 0.1]
            ),
            "department": "marketing",
            "d": _growth_dates(rng, n_mkt, acc["created_days"].to_numpy()[m]),
            "owner": None,
        }
    )
    frame = pd.concat([sales, success, marketing], ignore_index=True)
    frame = frame[frame["d"] <= SPAN_DAYS].sort_values("d", kind="stable").reset_index(drop=True)
    n = len(frame)
    inbound_p = np.select(
        [
            frame["type"] == "chat",
            frame["department"] == "service",
            frame["department"] == "marketing",
        ],
        [0.8, 0.6, 0.05],
        0.2,
    )
    personal_p = np.select(
        [frame["type"].isin(["meeting", "call"]), frame["department"] == "marketing"],
        [1.0, 0.15],
        0.6,
    )
    frame.insert(0, "activity_id", _ids("ACT-", n))
    frame["direction"] = np.where(rng.random(n) < inbound_p, "inbound", "outbound")
    frame["occurred_at"] = _ts(START + _days(frame.pop("d").to_numpy()))
    frame["is_personalized"] = rng.random(n) < personal_p
    return frame


def _surveys(rng, customers: pd.DataFrame, tickets: pd.DataFrame) -> pd.DataFrame:
    """Quarterly NPS to active customers (45% answer); CSAT and CES after resolved tickets."""
    quarters = np.arange(0, SPAN_DAYS, 91.3)
    start, end = customers["start"].to_numpy(), customers["end"].to_numpy()
    active = [np.flatnonzero((start <= q) & (end > q)) for q in quarters]
    ci = np.concatenate(active)
    day = np.repeat(quarters, [len(x) for x in active])
    answered = rng.random(len(ci)) < 0.45
    ci, day = ci[answered], day[answered] + rng.uniform(0, 20, answered.sum())
    health = customers["health"].to_numpy()[ci]
    trend = 1.1 * day / SPAN_DAYS  # NPS improves over the three years
    nps = np.clip(np.round(6.9 + 1.6 * health + trend + rng.normal(0, 1.4, len(ci))), 0, 10)
    nps_frame = pd.DataFrame(
        {
            "account_id": customers["account_id"].to_numpy()[ci],
            "d": day,
            "survey_type": "nps",
            "score": nps,
            "comment": _comments(rng, nps, 0.45),
            "channel": rng.choice(np.array(["email", "in-app"]), len(ci), p=[0.6, 0.4]),
        }
    )
    done = tickets[tickets["resolved_at"].notna()]
    ask = done[rng.random(len(done)) < 0.28]
    resolve_days = (ask["resolved_at"] - ask["opened_at"]).dt.total_seconds().to_numpy() / 86_400
    csat = np.clip(
        np.round(
            4.3
            - 0.18 * resolve_days
            + 0.5 * ask["health"].to_numpy()
            + rng.normal(0, 0.8, len(ask))
        ),
        1,
        5,
    )
    day_csat = (ask["resolved_at"].to_numpy() - START.astype("datetime64[us]")) / DAY + rng.uniform(
        0, 2, len(ask)
    )
    csat_frame = pd.DataFrame(
        {
            "account_id": ask["account_id"].to_numpy(),
            "d": day_csat,
            "survey_type": "csat",
            "score": csat,
            "comment": np.where(
                rng.random(len(ask)) < 0.3,
                np.where(
                    csat >= 4,
                    rng.choice(CSAT_COMMENTS["high"], len(ask)),
                    rng.choice(CSAT_COMMENTS["low"], len(ask)),
                ),
                None,
            ),
            "channel": ask["channel"].to_numpy(),
        }
    )
    ces_ask = done[rng.random(len(done)) < 0.10]
    ces_days = (ces_ask["resolved_at"] - ces_ask["opened_at"]).dt.total_seconds() / 86_400
    ces = np.clip(
        np.round(2.2 + 0.25 * ces_days.to_numpy() + rng.normal(0, 0.9, len(ces_ask))), 1, 7
    )
    ces_frame = pd.DataFrame(
        {
            "account_id": ces_ask["account_id"].to_numpy(),
            "d": (ces_ask["resolved_at"].to_numpy() - START.astype("datetime64[us]")) / DAY + 1,
            "survey_type": "ces",
            "score": ces,
            "comment": None,
            "channel": ces_ask["channel"].to_numpy(),
        }
    )
    frame = pd.concat([nps_frame, csat_frame, ces_frame], ignore_index=True)
    frame = frame[frame["d"] <= SPAN_DAYS].sort_values("d", kind="stable").reset_index(drop=True)
    frame.insert(0, "response_id", _ids("RSP-", len(frame)))
    frame["responded_at"] = _ts(START + _days(frame.pop("d").to_numpy()))
    return frame


def _comments(rng, nps: np.ndarray, share: float) -> np.ndarray:
    picks = np.select(
        [nps >= 9, nps >= 7],
        [rng.choice(PROMOTER_COMMENTS, len(nps)), rng.choice(PASSIVE_COMMENTS, len(nps))],
        rng.choice(DETRACTOR_COMMENTS, len(nps)),
    ).astype(object)
    picks[rng.random(len(nps)) >= share] = None
    return picks
