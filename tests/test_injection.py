"""Hostile text in every place a person can type: filters, URLs, mappings, profiles, the CLI."""

from __future__ import annotations

# Strings fed to every input below (and by fuzz/fuzz_import.py): SQL and parameter syntax,
# control characters, huge text, right-to-left and combining unicode, paths, spreadsheet
# formulas, markup.
HOSTILE = (
    "'",
    '"',
    "' OR 1=1--",
    '" OR ""="',
    "'; drop table deals; --",
    "$x",
    "$segments",
    "${x}",
    "?",
    "%s",
    "\\",
    "\x00",
    "a\x00b",
    "x" * 10_000,
    "\u202eevil\u202c",  # right-to-left override
    "שלום עולם",
    "👩‍👩‍👧‍👦🚀",
    "e\u0301\u0301\u0301",  # combining accents
    "\ufeff",
    "../../etc/passwd",
    "/etc/passwd",
    "..\\..\\windows\\win.ini",
    '=HYPERLINK("http://x")',
    "<script>alert(1)</script>",
    "**bold** [link](http://x)",
    " ",
    "\r\n",
)
