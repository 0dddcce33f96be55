-- One row per (account, month) of dated touches, plus one per kind beyond the masks' 62 bits
-- (as health_touch_days, summed by month): a window reads a month whole when all of it lies
-- on one side of each of its edges, and the days only of the months an edge cuts.
-- Params: none (materialised as summary_health_touch_months). Sorted by month.
with

days as (
    select * from summary_health_touch_days
    where touch_day is not null
),

final as (
    select
        account_key,
        cast(date_trunc('month', touch_day) as date) as touch_month,
        type_extra,
        department_extra,
        cast(sum(touches) as bigint) as touches,
        cast(sum(touches_personalized) as bigint) as touches_personalized,
        cast(sum(touches_personalized_known) as bigint) as touches_personalized_known,
        bit_or(type_mask) as type_mask,
        bit_or(department_mask) as department_mask
    from days
    group by account_key, touch_month, type_extra, department_extra
)

select * from final order by touch_month, account_key
