-- One row per day: the health counts that add up over days, for every account with a key
-- (no filter): touches on that day, and deals closed and created on it. A window's totals
-- are the sums over its days (queries/health_totals_all.sql), read from a row per day
-- instead of one per account and day: summary_health_trend_days added up over profiles and
-- deal owners. Undated rows are left out: a window has dates.
-- Params: none (materialised as summary_health_window_days).
with

final as (
    select
        day,
        cast(sum(touches) as bigint) as touches,
        cast(sum(touches_personalized) as bigint) as touches_personalized,
        cast(sum(touches_personalized_known) as bigint) as touches_personalized_known,
        cast(sum(deals_won) as bigint) as deals_won,
        cast(sum(deals_lost) as bigint) as deals_lost,
        cast(sum(partner_won) as bigint) as partner_won,
        cast(sum(partner_lost) as bigint) as partner_lost,
        cast(sum(competitive_won) as bigint) as competitive_won,
        cast(sum(competitive_lost) as bigint) as competitive_lost,
        cast(sum(deals_created) as bigint) as deals_created,
        cast(sum(deals_created_won) as bigint) as deals_created_won,
        cast(sum(deals_created_partner) as bigint) as deals_created_partner
    from summary_health_trend_days
    group by day
)

select * from final order by day
