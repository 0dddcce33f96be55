-- One row: deal counts, amounts and sales cycle for the filters.
-- Params: $start_date, $end_date (inclusive dates, null = open-ended),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = deal owner).
-- Placement (product.md): created deals by created_at; won and lost deals by closed_at;
-- open pipeline = deals open at the end of the period (created by then, not closed by then);
-- with no end date, the deals whose status is open now.
with

scoped_deals as (
    select * from deals_in_scope($segments, $regions, $owners, $teams)
),

open_at_end as (
    select *
    from scoped_deals
    where case
        when $end_date is null then status = 'open'
        else created_at < cast($end_date as timestamp) + interval 1 day
            and (status = 'open' or closed_at >= cast($end_date as timestamp) + interval 1 day)
    end
),

closed_in_period as (
    select *
    from summary_deals_closed
    where in_period(closed_at, $start_date, $end_date)
        and deal_in_scope(owner, account_id, $segments, $regions, $owners, $teams)
),

final as (
    select
        (select count(*) from scoped_deals
         where in_period(created_at, $start_date, $end_date)) as deals_total,
        (select count(*) from open_at_end) as deals_open,
        (select sum(amount) from open_at_end) as pipeline_open_amount,
        count(*) filter (where is_won) as deals_won,
        count(*) filter (where not is_won) as deals_lost,
        sum(amount) filter (where is_won) as won_amount,
        median(cycle_days) filter (where is_won and cycle_days >= 0) as median_sales_cycle_days,
        (select count(*) from scoped_deals
         where status in ('won', 'lost') and closed_at is null) as closed_deals_without_date
    from closed_in_period
)

select * from final
