-- One row per won deal of one pipeline closed in the period: its sales cycle in days.
-- Params: $start_date, $end_date (inclusive dates on closed_at, as for the overview’s median
--         sales cycle), $segments, $regions, $owners, $teams (lists, null = all; owner = deal owner),
--         $pipeline.
-- Sales cycle = closed_at - created_at of won deals (product.md); deals missing a date, or
-- closed before they were created, have no cycle and are left out. A deal of the pipeline is
-- its step-1 row in summary_funnel_stage_reached.
with

in_scope as (
    -- deals_in_scope on the summary, in two branches (migrations/0008_deal_row_scope.sql).
    select *
    from summary_funnel_stage_reached
    where pipeline = $pipeline
        and step_number = 1
        and status = 'won'
        and in_period(closed_at, $start_date, $end_date)
        and deal_row_in_scope_one_copy(owner, account_copies, segment, region,
            $segments, $regions, $owners, $teams)
    union all
    select *
    from summary_funnel_stage_reached
    where pipeline = $pipeline
        and step_number = 1
        and status = 'won'
        and in_period(closed_at, $start_date, $end_date)
        and deal_row_in_scope_copies(owner, account_copies, account_id,
            $segments, $regions, $owners, $teams)
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
