-- One row per won deal of one pipeline closed in the period: its sales cycle in days.
-- Params: $start_date, $end_date (inclusive dates on closed_at, as for the overview’s median
--         sales cycle), $segments, $regions, $owners (lists, null = all; owner = deal owner),
--         $pipeline.
-- Sales cycle = closed_at - created_at of won deals (product.md); deals missing a date, or
-- closed before they were created, have no cycle and are left out. A deal of the pipeline is
-- its step-1 row in summary_funnel_stage_reached.
with

in_scope as (
    -- deals_in_scope on the summary: owner = deal owner; segment and region through the
    -- account, tested on the row when the account has one copy, else by accounts_in_scope
    -- (the second branch reads no row group while no account has several copies).
    select *
    from summary_funnel_stage_reached
    where pipeline = $pipeline
        and step_number = 1
        and status = 'won'
        and in_period(closed_at, $start_date, $end_date)
        and ($owners is null or list_contains(cast($owners as varchar[]), owner))
        and account_copies <= 1
        and (($segments is null and $regions is null) or (account_copies = 1
            and ($segments is null or list_contains(cast($segments as varchar[]), segment))
            and ($regions is null or list_contains(cast($regions as varchar[]), region))))
    union all
    select *
    from summary_funnel_stage_reached
    where pipeline = $pipeline
        and step_number = 1
        and status = 'won'
        and in_period(closed_at, $start_date, $end_date)
        and ($owners is null or list_contains(cast($owners as varchar[]), owner))
        and account_copies > 1
        and account_in_scope(account_id, $segments, $regions, null)
),

won as (
    select deal_id, created_at, closed_at
    from in_scope
),

final as (
    select deal_id, date_diff('second', created_at, closed_at) / 86400.0 as cycle_days
    from won
    where created_at is not null and closed_at >= created_at
)

select * from final order by cycle_days, deal_id
