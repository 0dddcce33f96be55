-- One row per open step: queries/funnel_time_in_stage.sql for the funnel page's default view,
-- the last 12 months of data ("Last 12 months", dashboard/core/periods.py, as
-- view_health_accounts) with no filter and no grant, for the pipeline the page opens on
-- (funnel_pipelines.sql's first for that view: most deals created in the period, then most
-- deals, then by name), plus that pipeline, window_start and window_end.
-- queries/funnel_time_in_stage_default.sql serves the page from it: the medians and 75th
-- percentiles of some 770,000 measured days cannot be summed from smaller parts, and took
-- 45-65 ms a view at scale 50 (issue 18); any other period, pipeline, filter or grant runs
-- funnel_time_in_stage itself.
-- Named to sort after every summary funnel_time_in_stage reads (built in name order).
-- Not incremental: a load that moves the last day with data moves the period.
-- Bind $start_date = select cast(last_date - interval 1 year as date) + 1 from summary_data_dates
-- Bind $end_date = select last_date from summary_data_dates
-- Bind $pipeline = select pipeline from summary_funnel_stage_reached_by_day where step_number = 1 group by pipeline order by coalesce(sum(count_rows) filter (where in_period(created_day, (select cast(last_date - interval 1 year as date) + 1 from summary_data_dates), (select last_date from summary_data_dates))), 0) desc, sum(count_rows) desc, pipeline limit 1
select
    rows.*,
    (select pipeline from summary_funnel_stage_reached_by_day where step_number = 1
     group by pipeline
     order by coalesce(sum(count_rows) filter (where in_period(created_day,
             (select cast(last_date - interval 1 year as date) + 1 from summary_data_dates),
             (select last_date from summary_data_dates))), 0) desc,
         sum(count_rows) desc, pipeline
     limit 1) as pipeline,
    (select cast(last_date - interval 1 year as date) + 1 from summary_data_dates)
        as window_start,
    (select last_date from summary_data_dates) as window_end
from ({{ query('funnel_time_in_stage') }}) as rows
