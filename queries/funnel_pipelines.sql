-- One row per pipeline with funnel steps, plus one row (pipeline null) for deals whose pipeline
-- has no steps: the pipelines the funnel page offers, the biggest first.
-- Params: $start_date, $end_date (inclusive dates on created_at, null = open-ended),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = deal owner).
-- count_deals follows the filters (deals counted by creation date); count_deals_any ignores
-- the period (not the segment, region and owner filters, so it never counts deals outside a
-- person's grant) and breaks ties, so the default pipeline is the one with most deals.
-- A deal counts once per pipeline it is placed in (its step-1 row in
-- summary_funnel_stage_reached), or once in the null row when it is placed in none: counted
-- from those rows' cells in summary_funnel_stage_reached_by_day (issue 18: 30 ms at a million
-- deals from the rows; tests/core/previous_queries/funnel_pipelines.sql).
-- Only pipelines with at least one deal inside the grant are listed (any period): a pipeline's
-- name is data, and a manager must not learn one used only outside her grant (issue 21).
with

steps as (
    select pipeline, count(distinct step_number) as count_steps
    from summary_funnel_pipeline_steps
    group by pipeline
),

in_scope as (
    -- The cells of the filters, in two branches (deal_row_in_scope_one_copy, queries/macros).
    select *
    from summary_funnel_stage_reached_by_day
    where (step_number = 1 or pipeline is null)
        and deal_row_in_scope_one_copy(owner, account_copies, segment, region,
            $segments, $regions, $owners, $teams)
    union all
    select *
    from summary_funnel_stage_reached_by_day
    where (step_number = 1 or pipeline is null)
        and deal_row_in_scope_copies(owner, account_copies, account_id,
            $segments, $regions, $owners, $teams)
),

counted as (
    select
        pipeline,
        -- Sums of the cells' counts, as bigint: what count(*) of the rows gives.
        cast(coalesce(sum(count_rows) filter (
            where in_period(created_day, $start_date, $end_date)), 0) as bigint) as count_deals,
        cast(sum(count_rows) as bigint) as count_deals_any
    from in_scope
    group by pipeline
),

final as (
    select
        coalesce(s.pipeline, c.pipeline) as pipeline,
        coalesce(s.count_steps, 0) as count_steps,
        coalesce(c.count_deals, 0) as count_deals,
        coalesce(c.count_deals_any, 0) as count_deals_any
    from steps s
    full join counted c on c.pipeline = s.pipeline
    where c.count_deals_any > 0
)

select * from final
order by pipeline is null, count_deals desc, count_deals_any desc, pipeline
