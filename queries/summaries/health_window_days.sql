-- One row per day: the health counts that add up over days, for every account with a key
-- (no filter): touches on that day, and deals closed and created on it. A window's totals
-- are the sums over its days (queries/health_totals_all.sql), read from a row per day
-- instead of one per account and day. Undated rows are left out: a window has dates.
-- Params: none (materialised as summary_health_window_days).
with

touches as (
    select
        touch_day as day,
        sum(touches) as touches,
        sum(touches_personalized) as touches_personalized,
        sum(touches_personalized_known) as touches_personalized_known,
        0 as deals_won, 0 as deals_lost, 0 as partner_won, 0 as partner_lost,
        0 as competitive_won, 0 as competitive_lost,
        0 as deals_created, 0 as deals_created_won, 0 as deals_created_partner
    from summary_health_touch_days
    where touch_day is not null
    group by touch_day
),

closed as (
    select
        closed_day, 0, 0, 0,
        sum(deals) filter (where status = 'won'),
        sum(deals) filter (where status = 'lost'),
        sum(deals) filter (where status = 'won' and is_partner),
        sum(deals) filter (where status = 'lost' and is_partner),
        sum(deals) filter (where status = 'won' and is_competitive),
        sum(deals) filter (where status = 'lost' and is_competitive),
        0, 0, 0
    from summary_health_deal_days
    where status in ('won', 'lost') and closed_day is not null
    group by closed_day
),

created as (
    select
        created_day, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        sum(deals),
        sum(deals) filter (where status = 'won'),
        sum(deals) filter (where is_partner)
    from summary_health_deal_days
    where created_day is not null
    group by created_day
),

final as (
    select
        day,
        cast(sum(touches) as bigint) as touches,
        cast(sum(touches_personalized) as bigint) as touches_personalized,
        cast(sum(touches_personalized_known) as bigint) as touches_personalized_known,
        cast(coalesce(sum(deals_won), 0) as bigint) as deals_won,
        cast(coalesce(sum(deals_lost), 0) as bigint) as deals_lost,
        cast(coalesce(sum(partner_won), 0) as bigint) as partner_won,
        cast(coalesce(sum(partner_lost), 0) as bigint) as partner_lost,
        cast(coalesce(sum(competitive_won), 0) as bigint) as competitive_won,
        cast(coalesce(sum(competitive_lost), 0) as bigint) as competitive_lost,
        cast(sum(deals_created) as bigint) as deals_created,
        cast(coalesce(sum(deals_created_won), 0) as bigint) as deals_created_won,
        cast(coalesce(sum(deals_created_partner), 0) as bigint) as deals_created_partner
    from (
        select * from touches
        union all select * from closed
        union all select * from created
    )
    group by day
)

select * from final order by day
