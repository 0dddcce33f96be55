"""Where the files the package ships live: SQL, the pages, the entry script, the sample.

The wheel carries `pages/`, `queries/` and `sample_data/` as the packages `dashboard.pages`,
`dashboard.queries` and `dashboard.sample_data` (pyproject's package-dir), so the same lookup
works from the source tree and from an installed wheel. Paths, not readers: Streamlit runs
pages by path and DuckDB reads files by path, and pip always installs a wheel unzipped.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def folder(package: str) -> Path:
    """The folder of one of the package's own (sub)packages, e.g. 'dashboard.queries'."""
    return Path(str(files(package)))
