-- One row per group of deals closed in the period: 'any' (naming at least one competitor),
-- 'none' (naming none) and 'all'; each deal counts once, however many competitors it names.
-- Params: $start_date, $end_date (inclusive dates on closed_at, null = open-ended),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = deal owner).
-- The 'all' row is there even when no deal closed (zero counts); 'any' and 'none' only when
-- they hold deals. Sales cycle as in competitor_summary (won deals, in days).
with

flagged as (
    select status, amount, cycle_days, has_competitor
    from summary_deals_closed
    where in_period(closed_at, $start_date, $end_date)
        and deal_in_scope(owner, account_id, $segments, $regions, $owners, $teams)
),

final as (
    select
        case
            when grouping(has_competitor) = 1 then 'all'
            when has_competitor then 'any'
            else 'none'
        end as deal_group,
        count(*) as count_deals,
        count(*) filter (where status = 'won') as count_won,
        count(*) filter (where status = 'lost') as count_lost,
        coalesce(sum(amount) filter (where status = 'won'), 0) as won_amount,
        coalesce(sum(amount) filter (where status = 'lost'), 0) as lost_amount,
        median(cycle_days) filter (where status = 'won' and cycle_days >= 0)
            as median_cycle_days
    from flagged
    group by grouping sets ((has_competitor), ())
)

select * from final
order by deal_group
