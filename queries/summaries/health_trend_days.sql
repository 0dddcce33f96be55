-- One row per (day, profile, deal owner): the health counts that add up over days, per
-- profile (summary_health_profiles) so a scope reads the rows of its profiles only: touches
-- on that day (is_deal false, owner null), and deals closed and created on it by deal owner
-- (is_deal true: the owner and team filters read a deal's own owner, product.md). Undated
-- rows are left out: a window has dates. Params: none (materialised as
-- summary_health_trend_days; summary_health_window_days adds them up over profiles).
with

touches as (
    select
        d.touch_day as day,
        p.profile,
        false as is_deal,
        cast(null as varchar) as owner,
        sum(d.touches) as touches,
        sum(d.touches_personalized) as touches_personalized,
        sum(d.touches_personalized_known) as touches_personalized_known,
        0 as deals_won, 0 as deals_lost, 0 as partner_won, 0 as partner_lost,
        0 as competitive_won, 0 as competitive_lost,
        0 as deals_created, 0 as deals_created_won, 0 as deals_created_partner
    from summary_health_touch_days as d
    join summary_health_profiles as p on p.account_key = d.account_key
    where d.touch_day is not null
    group by d.touch_day, p.profile
),

closed as (
    select
        d.closed_day, p.profile, true, d.owner, 0, 0, 0,
        sum(d.deals) filter (where d.status = 'won'),
        sum(d.deals) filter (where d.status = 'lost'),
        sum(d.deals) filter (where d.status = 'won' and d.is_partner),
        sum(d.deals) filter (where d.status = 'lost' and d.is_partner),
        sum(d.deals) filter (where d.status = 'won' and d.is_competitive),
        sum(d.deals) filter (where d.status = 'lost' and d.is_competitive),
        0, 0, 0
    from summary_health_deal_days as d
    join summary_health_profiles as p on p.account_key = d.account_key
    where d.status in ('won', 'lost') and d.closed_day is not null
    group by d.closed_day, p.profile, d.owner
),

created as (
    select
        d.created_day, p.profile, true, d.owner, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        sum(d.deals),
        sum(d.deals) filter (where d.status = 'won'),
        sum(d.deals) filter (where d.is_partner)
    from summary_health_deal_days as d
    join summary_health_profiles as p on p.account_key = d.account_key
    where d.created_day is not null
    group by d.created_day, p.profile, d.owner
),

final as (
    select
        day,
        profile,
        is_deal,
        owner,
        cast(coalesce(sum(touches), 0) as bigint) as touches,
        cast(coalesce(sum(touches_personalized), 0) as bigint) as touches_personalized,
        cast(coalesce(sum(touches_personalized_known), 0) as bigint)
            as touches_personalized_known,
        cast(coalesce(sum(deals_won), 0) as bigint) as deals_won,
        cast(coalesce(sum(deals_lost), 0) as bigint) as deals_lost,
        cast(coalesce(sum(partner_won), 0) as bigint) as partner_won,
        cast(coalesce(sum(partner_lost), 0) as bigint) as partner_lost,
        cast(coalesce(sum(competitive_won), 0) as bigint) as competitive_won,
        cast(coalesce(sum(competitive_lost), 0) as bigint) as competitive_lost,
        cast(coalesce(sum(deals_created), 0) as bigint) as deals_created,
        cast(coalesce(sum(deals_created_won), 0) as bigint) as deals_created_won,
        cast(coalesce(sum(deals_created_partner), 0) as bigint) as deals_created_partner
    from (
        select * from touches
        union all select * from closed
        union all select * from created
    )
    group by day, profile, is_deal, owner
)

select * from final order by day, profile, is_deal, owner
