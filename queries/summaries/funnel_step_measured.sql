-- One row per (pipeline, deal owner, the account's segment, region and number of copies, and
-- the account itself when it is loaded twice) with how many deal steps have a measured time in
-- step (summary_funnel_stage_reached.days_in_step not null), whatever their creation date.
-- funnel_time_in_stage.sql's count_ever_measured sums these few rows under the funnel's row
-- scope (the scope macros read only these columns) instead of counting every measured step of
-- every period on each view: 40 ms at a million deals (issue 18).
-- Params: none (materialised as summary_funnel_step_measured after every load and undo). Built
-- after summary_funnel_stage_reached (summaries are rebuilt in name order).
with

measured as (
    select
        pipeline,
        owner,
        segment,
        region,
        account_copies,
        -- deal_row_in_scope_copies tests the account only when it has several copies.
        case when account_copies > 1 then account_id end as account_id
    from summary_funnel_stage_reached
    where days_in_step is not null
),

final as (
    select pipeline, owner, segment, region, account_copies, account_id, count(*) as count_measured
    from measured
    group by pipeline, owner, segment, region, account_copies, account_id
)

select * from final
