"""What a grant costs: the overview's and competitors' queries as the admin and as managers.

Usage: .venv/bin/python -m benchmarks.roles [--scale 1] [--runs 5]
The scope adds list_contains() on bound lists; this shows it costs nothing noticeable.
"""

from __future__ import annotations

from dashboard.filters import NOTHING, Scope

from benchmarks.harness import last_12_months, options, sample_warehouse, time_views
from benchmarks.overview import overview_queries
from dashboard import competitors


def main() -> None:
    args = options(__doc__)
    with sample_warehouse(args.scale) as (con, _frames, _load_s):
        year = last_12_months(con)
        grants = {
            "admin (everything)": Scope(),
            "manager SMB": Scope(segments=("SMB",)),
            "manager SMB + EMEA": Scope(segments=("SMB",), regions=("EMEA",)),
            "no grant (deny)": NOTHING,
        }
        views = {}
        for label, grant in grants.items():
            scoped = year.within(grant)

            def run(cur, f=scoped):
                overview_queries(cur, f)
                competitors.names(cur, f)
                competitors.positioning(cur, f)

            views[label] = run
        time_views(con, "overview + competitor queries, last 12 months", views, args.runs)


if __name__ == "__main__":
    main()
