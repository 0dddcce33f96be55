-- One row per window: the sums over its accounts of health_accounts' per-account counts (what
-- every Four-C metric of a whole scope is a ratio of), so the trend reads 12 rows, not one
-- per account and month end. Params: as health_accounts ($window_ends null = one window, the
-- period). A window with no account in scope has no row (as health_accounts has none).
with

account_rows as (
    {{ query('health_accounts') }}
),

totals as (
    select
        window_end,
        count(*) as accounts,
        cast(sum(is_complete) as bigint) as is_complete,
        cast(sum(has_segment) as bigint) as has_segment,
        cast(sum(is_quality) as bigint) as is_quality,
        cast(sum(touches) as bigint) as touches,
        cast(sum(touches_personalized) as bigint) as touches_personalized,
        cast(sum(touches_personalized_known) as bigint) as touches_personalized_known,
        cast(sum(channels) as bigint) as channels,
        cast(sum(is_active) as bigint) as is_active,
        cast(sum(is_touched_90d) as bigint) as is_touched_90d,
        cast(sum(is_multi_department_90d) as bigint) as is_multi_department_90d,
        cast(sum(is_customer_before) as bigint) as is_customer_before,
        cast(sum(is_retained) as bigint) as is_retained,
        cast(sum(is_customer) as bigint) as is_customer,
        cast(sum(is_multi_product) as bigint) as is_multi_product,
        cast(sum(is_surveyed) as bigint) as is_surveyed,
        cast(sum(nps_responses) as bigint) as nps_responses,
        cast(sum(nps_promoters) as bigint) as nps_promoters,
        cast(sum(nps_detractors) as bigint) as nps_detractors,
        cast(sum(csat_responses) as bigint) as csat_responses,
        cast(sum(csat_satisfied) as bigint) as csat_satisfied,
        cast(sum(deals_won) as bigint) as deals_won,
        cast(sum(deals_lost) as bigint) as deals_lost,
        cast(sum(partner_won) as bigint) as partner_won,
        cast(sum(partner_lost) as bigint) as partner_lost,
        cast(sum(competitive_won) as bigint) as competitive_won,
        cast(sum(competitive_lost) as bigint) as competitive_lost,
        cast(sum(deals_created) as bigint) as deals_created,
        cast(sum(deals_created_won) as bigint) as deals_created_won,
        cast(sum(deals_created_partner) as bigint) as deals_created_partner
    from account_rows
    group by window_end
)

select * from totals order by window_end
