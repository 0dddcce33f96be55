-- One row per won deal placed in a pipeline with a sales cycle: its step-1 row of
-- summary_funnel_stage_reached, with the scope columns and its cycle in days. Sorted by
-- pipeline and close date, so funnel_sales_cycle.sql (won deals closed in a period) reads only
-- the row groups of its period: the step-1 rows sit among every step's rows in creation order,
-- and a period on close dates read two thirds of them at a million deals (issue 18).
-- Params: none (materialised as summary_funnel_won_cycles after every load and undo). Built
-- after summary_funnel_stage_reached (summaries are rebuilt in name order).
-- Sales cycle = closed_at - created_at of won deals (product.md); deals missing a date, or
-- closed before they were created, have no cycle and no row.
-- Incremental by deal_id: summary_funnel_stage_reached
-- Incremental, why: a row is one row of summary_funnel_stage_reached, keyed by its deal_id;
-- Incremental, why: rows rebuilt by key are appended out of the sort order until a full build.
with

won as (
    select
        pipeline,
        closed_at,
        owner,
        segment,
        region,
        account_copies,
        account_id,
        deal_id,
        created_at
    from summary_funnel_stage_reached
    where step_number = 1 and status = 'won'
),

final as (
    select
        pipeline,
        closed_at,
        owner,
        segment,
        region,
        account_copies,
        account_id,
        deal_id,
        date_diff('second', created_at, closed_at) / 86400.0 as cycle_days
    from won
    where created_at is not null and closed_at >= created_at
)

select * from final
order by pipeline, closed_at
