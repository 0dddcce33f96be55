-- The windows the health page's default view asks health_totals_all for (the last 12 months of
-- data, summary_default_period): the trend's, one per month end inside the period and one
-- ending on its last day (metrics.monthly), and the previous period's, ending the day before
-- the period starts (metrics.health_data); each as long as the period. No row without dates.
-- Params: none (materialised as summary_health_view_windows; view_health_totals reads it).
with

period as (
    select start_date, end_date from summary_default_period
),

month_ends as (
    select
        cast(
            date_trunc('month', p.start_date) + to_months(cast(k.month_offset + 1 as integer))
            - interval 1 day as date
        ) as window_end,
        p.end_date
    from period as p
    cross join unnest(range(0, date_diff('month', p.start_date, p.end_date) + 1))
        as k(month_offset)
),

windows as (
    select window_end from month_ends where window_end < end_date
    union all
    select end_date from period
    union all
    select cast(start_date - interval 1 day as date) from period
),

final as (
    select w.window_end, date_diff('day', p.start_date, p.end_date) + 1 as window_days
    from windows as w
    cross join period as p
)

select * from final order by window_end
