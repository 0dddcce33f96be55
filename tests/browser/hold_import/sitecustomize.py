"""Test hook, not shipped: Python imports this at start-up when its folder is on PYTHONPATH.

With $CRM_TEST_HOLD_IMPORT naming a folder, an import's transaction is held open once every
row is written, the summaries rebuilt, the load recorded and the data version moved (the
instant before COMMIT): the hook writes `held` in the folder and waits for `release` there.
tests/browser/test_concurrency.py starts `crm-dashboard serve` with it, so that its readers
read a fixed number of times while a whole load sits uncommitted, on a fast machine or a slow
one, instead of hoping that some reads fall inside a load that may take a fraction of a second.
Only the server the test starts has the variable; nothing in dashboard/ knows about it.
"""

from __future__ import annotations

import os

_FOLDER = os.environ.get("CRM_TEST_HOLD_IMPORT")

if _FOLDER:
    import time
    from pathlib import Path

    from dashboard.store import warehouse

    _record_load = warehouse._record_load  # the last step inside load_relations' transaction
    _MAX_HOLD_S = 900  # never hang a server for good; the test releases it long before

    def _record_load_and_hold(con, load_id, tables, rows, info):
        _record_load(con, load_id, tables, rows, info)
        if getattr(info, "source", None) != "import":
            return
        folder = Path(_FOLDER)
        (folder / "held").write_text(f"{load_id} {rows}\n")
        deadline = time.monotonic() + _MAX_HOLD_S
        while not (folder / "release").exists() and time.monotonic() < deadline:
            time.sleep(0.05)

    warehouse._record_load = _record_load_and_hold
