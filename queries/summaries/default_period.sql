-- One row: the period every page opens on ("Last 12 months", dashboard/core/periods.py: from
-- the day after the same day a year before the last day with data, to that day) and the
-- period of equal length just before it (Filters.previous_period), for the served_* summaries'
-- Bind lines. No row when nothing is dated.
-- Params: none (materialised as summary_default_period).
with

period as (
    select
        cast(last_date - interval 1 year as date) + 1 as start_date,
        last_date as end_date
    from summary_data_dates
    where last_date is not null
),

final as (
    select
        start_date,
        end_date,
        cast(
            start_date - to_days(cast(date_diff('day', start_date, end_date) + 1 as integer))
            as date
        ) as previous_start_date,
        cast(start_date - interval 1 day as date) as previous_end_date
    from period
)

select * from final
