-- One row per window: queries/health_totals_all.sql for the windows of the health page's
-- default view (summary_health_view_windows: the trend's month ends and the previous period of
-- the last 12 months of data) with no filter and no grant, plus window_days.
-- queries/health_totals_default.sql serves the page from it (the trend and the previous period
-- took ~230 ms a view at scale 50 otherwise); any other window, filter or grant runs
-- health_totals_all itself. Named to sort after every summary health_totals_all reads.
-- Not incremental: a load that moves the last day with data moves every window.
-- Bind $window_ends = select list(window_end order by window_end) from summary_health_view_windows
-- Bind $window_days = select max(window_days) from summary_health_view_windows
select
    rows.*,
    (select max(window_days) from summary_health_view_windows) as window_days
from ({{ query('health_totals_all') }}) as rows
where exists (select 1 from summary_health_view_windows)
order by window_end
