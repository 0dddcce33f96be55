-- One row per segment, region and deal owner with won deals in the period or the period
-- before it: won deals and won amount in each, and the change (the digest's top movers).
-- Params: $start_date, $end_date (the period, inclusive dates on closed_at),
--         $previous_start_date, $previous_end_date (the period before it; null = none),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = deal owner).
-- segment and region: the account's (its latest load when loaded twice); '(not set)' when
-- blank or the account is unknown. Won deals without a close date have no period: left out.
with

account_places as (
    select
        account_id,
        arg_max(segment, load_id) as segment,
        arg_max(region, load_id) as region
    from accounts
    group by account_id
),

won as (
    select
        c.owner,
        c.amount,
        a.segment,
        a.region,
        in_period(c.closed_at, $start_date, $end_date) as is_now,
        $previous_start_date is not null
            and in_period(c.closed_at, $previous_start_date, $previous_end_date) as is_before
    from summary_deals_closed as c
    left join account_places as a on c.account_id = a.account_id
    where c.status = 'won'
        and c.closed_at is not null
        and deal_in_scope(c.owner, c.account_id, $segments, $regions, $owners, $teams)
),

placed as (
    select * from won where is_now or is_before
),

by_dimension as (
    select 'segment' as dimension, segment as value, amount, is_now, is_before from placed
    union all
    select 'region' as dimension, region as value, amount, is_now, is_before from placed
    union all
    select 'owner' as dimension, owner as value, amount, is_now, is_before from placed
),

final as (
    select
        dimension,
        coalesce(nullif(trim(value), ''), '(not set)') as value,
        count(*) filter (where is_now) as deals_won,
        coalesce(sum(amount) filter (where is_now), 0) as won_amount,
        count(*) filter (where is_before) as deals_won_before,
        coalesce(sum(amount) filter (where is_before), 0) as won_amount_before
    from by_dimension
    group by dimension, coalesce(nullif(trim(value), ''), '(not set)')
)

select
    *,
    won_amount - won_amount_before as won_amount_change
from final
order by abs(won_amount - won_amount_before) desc, dimension, value
