-- One row per won deal of one pipeline closed in the period: its sales cycle in days.
-- Params: $start_date, $end_date (inclusive dates on closed_at, as for the overview’s median
--         sales cycle), $segments, $regions, $owners, $teams (lists, null = all; owner = deal owner),
--         $pipeline.
-- Sales cycle = closed_at - created_at of won deals (product.md); deals missing a date, or
-- closed before they were created, have no cycle and are left out. Read from
-- summary_funnel_won_cycles (a deal's step-1 row in summary_funnel_stage_reached, sorted by
-- close date: issue 18; tests/core/previous_queries/funnel_sales_cycle.sql read those rows).
with

in_scope as (
    -- deals_in_scope on the summary, in two branches (migrations/0008_deal_row_scope.sql).
    select deal_id, cycle_days
    from summary_funnel_won_cycles
    where pipeline = $pipeline
        and in_period(closed_at, $start_date, $end_date)
        and deal_row_in_scope_one_copy(owner, account_copies, segment, region,
            $segments, $regions, $owners, $teams)
    union all
    select deal_id, cycle_days
    from summary_funnel_won_cycles
    where pipeline = $pipeline
        and in_period(closed_at, $start_date, $end_date)
        and deal_row_in_scope_copies(owner, account_copies, account_id,
            $segments, $regions, $owners, $teams)
),

final as (
    select deal_id, cycle_days
    from in_scope
)

select * from final order by cycle_days, deal_id
