"""The frozen reference queries read nothing live: no macro of queries/macros, no summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.store import macros
from tests.analytics import reference

HERE = Path(__file__).parent
FROZEN = [
    *sorted((HERE / "funnel" / "reference").glob("*.sql")),
    HERE / "funnel" / "reference_summaries.sql",
    HERE / "health" / "health_accounts_before.sql",
    HERE / "health" / "health_accounts_before_summaries.sql",
    reference.SCOPE,
]


@pytest.mark.parametrize("path", FROZEN, ids=lambda p: str(p.relative_to(HERE)))
def test_a_frozen_reference_reads_no_live_macro_and_no_summary(path):
    live = {name for file in macros.files() for name in macros.defined_in(file)}
    words = reference.names_read(path.read_text(encoding="utf-8"))
    assert not words & live, sorted(words & live)
    assert not {w for w in words if w.startswith("summary_")}
