-- One row per account: health_accounts for the page's default view, read from its summary
-- (queries/summaries/view_health_accounts.sql); no row unless the period asked is the one the
-- summary holds. The caller asks only with no filter and no grant, and runs health_accounts
-- when this returns no row. Params: $start_date, $end_date (the period asked).
select * exclude (window_start)
from summary_view_health_accounts
where window_start = cast($start_date as date) and window_end = cast($end_date as date)
order by window_end, account_id
