-- One row per calendar month with closed deals: won and lost counts and won amount.
-- Params: $start_date, $end_date (inclusive dates on closed_at, null = open-ended),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = deal owner).
-- Closed deals with no close date have no month and are left out.
with

closed as (
    select date_trunc('month', closed_at) as month_start, status, amount
    from summary_deals_closed
    where closed_at is not null
        and in_period(closed_at, $start_date, $end_date)
        and deal_in_scope(owner, account_id, $segments, $regions, $owners, $teams)
),

final as (
    select
        cast(month_start as date) as month_start,
        count(*) filter (where status = 'won') as deals_won,
        count(*) filter (where status = 'lost') as deals_lost,
        coalesce(sum(amount) filter (where status = 'won'), 0) as won_amount
    from closed
    group by month_start
)

select * from final order by month_start
