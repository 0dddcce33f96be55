"""SQL files: page queries, per-load summaries and macros, read by dashboard.core.queries."""
