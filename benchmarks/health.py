"""Measure the health page's queries on the sample.

Usage: .venv/bin/python -m benchmarks.health [--scale 1] [--runs 5]
Prints one line per figure. Timing stays out of the test suite on purpose.
"""

from __future__ import annotations

from dashboard.filters import Filters
from dashboard.health import config, metrics, report, scoring

from benchmarks.harness import last_12_months, options, sample_warehouse, time_views


def page_queries(cur, filters: Filters) -> None:
    """Every data function the health page calls for one view (as session.cached would on a
    cache miss): metric values (scope, previous period, segments, accounts), the monthly trend
    and one account's timeline."""
    data = metrics.health_data(cur, filters)
    metrics.monthly(cur, filters)
    report.timeline(cur, filters, data.accounts["account_id"].iloc[0])


def main() -> None:
    args = options(__doc__)
    with sample_warehouse(args.scale) as (con, frames, load_s):
        print(f"scale {args.scale:g}: {len(frames['deals']):,} deals; whole load {load_s:.2f} s")
        year = last_12_months(con)
        scoped = last_12_months(con, segments=("Enterprise",), regions=("EMEA",))
        data = metrics.health_data(con.cursor(), year)
        preset = config.load()[config.DEFAULT_PRESET]
        views = {
            "default (last 12 months), whole page": lambda c: page_queries(c, year),
            "default, tiles/radar/leaderboard only": lambda c: metrics.health_data(c, year),
            "default, monthly trend only": lambda c: metrics.monthly(c, year),
            "all time, whole page": lambda c: page_queries(c, Filters()),
            "last 12 months, Enterprise + EMEA": lambda c: page_queries(c, scoped),
            "what-if re-score (no query)": lambda c: (
                scoring.score(preset, data.overall),
                report.segment_scores(data, preset),
                report.account_scores(data, preset),
            ),
        }
        time_views(con, "health page", views, args.runs)


if __name__ == "__main__":
    main()
