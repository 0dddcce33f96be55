-- One row per account: health_accounts for the page's default view, read from its summary
-- (queries/summaries/view_health_accounts.sql: the last 12 months of data, no filter, no
-- grant). No row unless the period asked is the one the summary holds and no filter or grant
-- is set (a grant, even an empty one, sees nothing here); metrics.account_rows then runs
-- health_accounts itself.
-- Params: $start_date, $end_date (the period asked), $segments, $regions, $owners, $teams
--         (lists, null = all: rows only when all four are null).
select * exclude (window_start)
from summary_view_health_accounts
where window_start = cast($start_date as date) and window_end = cast($end_date as date)
    and account_filter_off($segments, $regions, $owners, $teams)
-- No ORDER BY: the summary is stored in window_end, account_id order and DuckDB returns a
-- plain scan's rows in the order they were stored (preserve_insertion_order, on by default).
