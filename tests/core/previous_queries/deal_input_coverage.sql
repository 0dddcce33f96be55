-- One row: of the deals each overview tile counts, how many have the input it sums or measures
-- (won deals with an amount, open deals with an amount, won deals with both dates). Beside a
-- tile computed over what exists: "amount known for 40 of 60 won deals".
-- Params: $start_date, $end_date (inclusive dates, null = open-ended),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = deal owner).
-- Placement as in deal_summary.sql: open pipeline = deals open at the end of the period; won
-- deals by closed_at.
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

won_in_period as (
    select *
    from summary_deals_closed
    where is_won
        and in_period(closed_at, $start_date, $end_date)
        and deal_in_scope(owner, account_id, $segments, $regions, $owners, $teams)
),

final as (
    select
        (select count(*) from open_at_end) as deals_open,
        (select count(amount) from open_at_end) as deals_open_with_amount,
        count(*) as deals_won,
        count(amount) as deals_won_with_amount,
        count(*) filter (where cycle_days >= 0) as deals_won_with_cycle
    from won_in_period
)

select * from final
