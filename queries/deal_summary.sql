-- One row: deal counts, amounts and sales cycle for the filters, and of the deals each overview
-- tile counts, how many have the input it sums or measures (won deals with an amount, open deals
-- with an amount, won deals with both dates): beside a tile computed over what exists, "amount
-- known for 40 of 60 won deals".
-- Params: $start_date, $end_date (inclusive dates, null = open-ended),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = deal owner).
-- Placement (product.md): created deals by created_at; won and lost deals by closed_at;
-- open pipeline = deals open at the end of the period (created by then, not closed by then);
-- with no end date, the deals whose status is open now.
-- One pass over the deals in scope (every deal count below is a filter of it) and one over the
-- closed deals of the period: at 1M deals the four separate scans and a second query for the
-- input counts cost 2-3 times as much.
with

scoped_deals as (
    select
        *,
        case
            when $end_date is null then status = 'open'
            else created_at < cast($end_date as timestamp) + interval 1 day
                and (status = 'open' or closed_at >= cast($end_date as timestamp) + interval 1 day)
        end as is_open_at_end
    from deals_in_scope($segments, $regions, $owners, $teams)
),

all_deals as (
    select
        count(*) filter (where in_period(created_at, $start_date, $end_date)) as deals_total,
        count(*) filter (where is_open_at_end) as deals_open,
        sum(amount) filter (where is_open_at_end) as pipeline_open_amount,
        count(amount) filter (where is_open_at_end) as deals_open_with_amount,
        count(*) filter (where status in ('won', 'lost') and closed_at is null)
            as closed_deals_without_date
    from scoped_deals
),

closed_in_period as (
    select
        count(*) filter (where is_won) as deals_won,
        count(*) filter (where not is_won) as deals_lost,
        sum(amount) filter (where is_won) as won_amount,
        median(cycle_days) filter (where is_won and cycle_days >= 0) as median_sales_cycle_days,
        count(amount) filter (where is_won) as deals_won_with_amount,
        count(*) filter (where is_won and cycle_days >= 0) as deals_won_with_cycle
    from ({{ query('closed_deals_in_scope') }}) as in_scope
),

final as (
    select
        a.deals_total,
        a.deals_open,
        a.pipeline_open_amount,
        c.deals_won,
        c.deals_lost,
        c.won_amount,
        c.median_sales_cycle_days,
        a.closed_deals_without_date,
        a.deals_open_with_amount,
        c.deals_won_with_amount,
        c.deals_won_with_cycle
    from all_deals a
    cross join closed_in_period c
)

select * from final
