-- One row per day with a dated touch (summary_health_touch_days): the calendar the health
-- page matches windows against, so the big summary is read by an equality on the day (and
-- only the row groups of the window's days). Params: none.
with

final as (
    select distinct touch_day
    from summary_health_touch_days
    where touch_day is not null
)

select * from final order by touch_day
