"""How large a tile's change must be before it is news: the 95% margin of the change between
two periods, in the change's own unit (see docs/style-guide.md, "Changes").

- A count (new customers, won deals) is read as Poisson: the difference n1 - n0 has variance
  n1 + n0, so its margin is 1.96·√(n1 + n0), written as a share of n0 like the delta (%).
- A share (win rate, competitor recorded) is binomial: the difference of two proportions has
  variance p1(1 - p1)/n1 + p0(1 - p0)/n0; its margin is in points.
- NPS and CSAT use the satisfaction page's own margins (core/measures.py), so the overview
  tile and the satisfaction page judge a change alike.
- A median (the sales cycle) has the distribution-free interval of order statistics
  (queries/sales_cycle_interval.sql); the change's margin is √(h1² + h0²) of the two
  intervals' half-widths h, in days.
- A revenue ratio over customers (gross and net revenue retention, R = Σy/Σx) has the
  delta-method standard error √(n·Σ(y − R·x)²/(n − 1))/Σx; the change's margin is
  1.96·100·√(se1² + se0²) points.
- Open pipeline (a stock at a date, mostly the same deals at both ends) has no noise test: its
  change is grey and says so (`tiles.untested`), never red or green.

The tile is then greyed by `tiles.within_noise`, the one helper every page uses."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from dashboard.core import measures
from dashboard.core.tiles import Tile, untested, within_noise

Z_95 = measures.Z_95


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def count_change(now: object, before: object) -> tuple[float, float] | None:
    """(margin, change) of a Poisson count's relative change, both in % of the previous count:
    margin 100·1.96·√(n1 + n0)/n0. None with no base (n0 of 0 has no relative change)."""
    n1, n0 = _number(now), _number(before)
    if n1 is None or n0 is None or n0 <= 0:
        return None
    return 100 * Z_95 * math.sqrt(n1 + n0) / n0, 100 * (n1 - n0) / n0


def share_change(
    k_now: object, n_now: object, k_before: object, n_before: object
) -> tuple[float, float] | None:
    """(margin, change) of a binomial share k/n between two periods, both in points (0-100):
    margin 1.96·100·√(p1(1 - p1)/n1 + p0(1 - p0)/n0). None when either period has no trials."""
    k1, n1, k0, n0 = (_number(v) for v in (k_now, n_now, k_before, n_before))
    if None in (k1, n1, k0, n0) or n1 <= 0 or n0 <= 0:
        return None
    p1, p0 = k1 / n1, k0 / n0
    margin = measures.difference_margin(
        measures.csat_margin(k1, n1), measures.csat_margin(k0, n0)
    )  # csat_margin is the binomial margin of a share, in points
    return margin, 100 * (p1 - p0)


def median_change(
    now: object, before: object, interval_now: Mapping, interval_before: Mapping
) -> tuple[float, float] | None:
    """(margin, change) of a median between two periods, in the median's unit (days): the
    margin √(h1² + h0²) of the half-widths h = (high − low)/2 of each period's order-statistic
    interval (sales_cycle_interval.sql). None when either period has too few values for one."""
    m1, m0 = _number(now), _number(before)
    halves = []
    for interval in (interval_now, interval_before):
        low, high = _number(interval.get("median_low")), _number(interval.get("median_high"))
        if low is None or high is None:
            return None
        halves.append((high - low) / 2)
    if m1 is None or m0 is None:
        return None
    return math.hypot(*halves), m1 - m0


def ratio_se(n: object, sum_x: object, sum_y: object, sum_xx: object, sum_yy: object,
             sum_xy: object) -> float | None:  # fmt: skip
    """Delta-method standard error of R = Σy/Σx over n units (customers): with the residuals
    d = y − R·x, se = √(n·Σd²/(n − 1))/Σx, Σd² = Σy² − 2R·Σxy + R²·Σx². None below 2 units or
    with nothing at the base (Σx ≤ 0)."""
    values = [_number(v) for v in (n, sum_x, sum_y, sum_xx, sum_yy, sum_xy)]
    if None in values:
        return None
    units, sx, sy, sxx, syy, sxy = values
    if units < 2 or sx <= 0:
        return None
    r = sy / sx
    residual = max(syy - 2 * r * sxy + r * r * sxx, 0.0)  # rounding may leave a tiny negative
    return math.sqrt(units * residual / (units - 1)) / sx


def ratio_change(
    now: tuple[float | None, float | None], before: tuple[float | None, float | None]
) -> tuple[float, float] | None:
    """(margin, change) in points (0-100) between two ratios given as (ratio, se): margin
    1.96·100·√(se1² + se0²)."""
    (r1, se1), (r0, se0) = now, before
    if None in (r1, se1, r0, se0):
        return None
    return 100 * Z_95 * math.hypot(se1, se0), 100 * (r1 - r0)


def kpi_changes(now: Mapping, before: Mapping) -> dict[str, tuple[float, float, str]]:
    """measure key -> (margin, change, margin as written) for the registry's tiles that have an
    honest margin. `now`/`before` are `measures.kpis` rows with the survey counts beside them
    (nps_promoters, nps_detractors, csat_satisfied). Won amount rests on the Poisson noise of
    its count of won deals alone (a lower bound: amounts vary too); the median sales cycle
    by its order-statistic intervals when `now`/`before` carry them (cycle_interval,
    sales_cycle_interval.sql); open pipeline (a stock at a date) has none (the overview
    passes it to `judged` as untested)."""
    out = {}
    counted = count_change(now.get("new_customers"), before.get("new_customers"))
    if counted:
        out["new_customers"] = counted
    won = count_change(now.get("deals_won"), before.get("deals_won"))
    if won and _number(now.get("won_amount")) is not None:
        change = count_change(now.get("won_amount"), before.get("won_amount"))
        if change:
            out["won_amount"] = (won[0], change[1])
    rate = share_change(
        now.get("deals_won"), now.get("deals_closed"), before.get("deals_won"),
        before.get("deals_closed"),
    )  # fmt: skip
    if rate:
        out["win_rate"] = rate
    csat = share_change(
        now.get("csat_satisfied"), now.get("csat_responses"), before.get("csat_satisfied"),
        before.get("csat_responses"),
    )  # fmt: skip
    if csat:
        out["csat"] = csat
    nps = _nps_change(now, before)
    if nps:
        out["nps"] = nps
    cycle = median_change(
        now.get("median_sales_cycle_days"), before.get("median_sales_cycle_days"),
        now.get("cycle_interval") or {}, before.get("cycle_interval") or {},
    )  # fmt: skip
    if cycle:
        out["median_sales_cycle_days"] = cycle
    written = {"new_customers": "%", "won_amount": "%", "median_sales_cycle_days": " days"}
    return {
        key: (margin, change, _written(margin, written.get(key, " pts")))
        for key, (margin, change) in out.items()
    }


def _nps_change(now: Mapping, before: Mapping) -> tuple[float, float] | None:
    """(margin of the difference, change) of NPS: √(m1² + m0²) of the page's NPS margins."""
    margins = [_nps_margin(row) for row in (now, before)]
    if None in margins or _number(now.get("nps")) is None or _number(before.get("nps")) is None:
        return None
    return measures.difference_margin(*margins), float(now["nps"]) - float(before["nps"])


def _nps_margin(row: Mapping) -> float | None:
    if not _number(row.get("nps_responses")):
        return None
    return measures.nps_margin(row["nps_promoters"], row["nps_detractors"], row["nps_responses"])


def _written(margin: float, unit: str) -> str:
    """ "±25.8%", "±13.1 pts": one decimal, like the delta beside it."""
    return f"±{margin:.1f}{unit}"


def judged(
    tiles: list[Tile],
    changes: Mapping[str, tuple[float, float, str]],
    beyond: bool = False,
    untested_keys: tuple[str, ...] = (),
) -> list[Tile]:
    """Each tile with a margin greyed and marked "within noise" when its change is inside it
    (with `beyond`, a larger one says "beyond noise (±N)"); a tile of `untested_keys` that has
    no margin here (none exists, or too few values for one) is grey and says "no noise test
    for this figure", never red or green."""
    out = []
    for t in tiles:
        if t.key in changes:
            margin, change, text = changes[t.key]
            out.append(within_noise(t, margin, text, change, beyond=beyond))
        elif t.key in untested_keys:
            out.append(untested(t))
        else:
            out.append(t)
    return out
