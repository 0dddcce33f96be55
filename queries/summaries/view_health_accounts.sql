-- One row per account: queries/health_accounts.sql for the health page's default view, the
-- last 12 months of data ("Last 12 months", dashboard/core/periods.py: from the day after the
-- same day a year before the last day with data, to that day) with no filter and no grant,
-- plus window_start. queries/health_accounts_default.sql serves the page from it (~1.2 s CPU a
-- view at scale 50 otherwise); any other period, filter or grant runs health_accounts itself.
-- Named to sort after every summary health_accounts reads (built in name order).
-- Stored in the page's order (window_end, account_id), so health_accounts_default reads it
-- without sorting 100,000 rows again (half its time at scale 50).
-- Not incremental: a load that moves the last day with data moves every account's window.
-- Bind $start_date = select cast(last_date - interval 1 year as date) + 1 from summary_data_dates
-- Bind $end_date = select last_date from summary_data_dates
select
    rows.*,
    (select cast(last_date - interval 1 year as date) + 1 from summary_data_dates)
        as window_start
from ({{ query('health_accounts') }}) as rows
order by window_end, account_id
