"""What `crm-dashboard serve` runs: Streamlit, plus a desk that answers commands handed over
by `crm-dashboard` processes that find the database held by this one (store/handover.py).

Above the CLI: the desk runs commands through cli.run_for_app, which the UI may not import."""

from __future__ import annotations

import sys
import threading

from streamlit.web import cli as streamlit_cli

from dashboard import cli
from dashboard.store import handover, warehouse
from dashboard.ui import warm_up


def _hold_database() -> None:
    """Open the shared connection now, not at the first visit, so the app holds the file from
    start-up and a cron job always finds it held, then handed over (never a race with a visit);
    then work out what the first visit would otherwise wait for (ui/warm_up.py)."""
    db = warehouse.default_db_path()
    try:
        warehouse.SharedConnection.get(db)
    except warehouse.WarehouseError as exc:
        print(f"crm-dashboard serve: {exc}", file=sys.stderr, flush=True)
        return
    warm_up.prepare(db)


def main() -> None:
    db = warehouse.default_db_path()  # `serve --db` sets $CRM_DASHBOARD_DB to the resolved path
    threading.Thread(target=_hold_database, name="open-warehouse", daemon=True).start()
    try:
        handover.open_desk(db, cli.run_for_app)
    except (handover.HandoverError, OSError) as exc:
        print(
            f"crm-dashboard serve: commands cannot be handed to the app: {exc}",
            file=sys.stderr,
            flush=True,
        )
    sys.argv = ["streamlit", *sys.argv[1:]]
    streamlit_cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
