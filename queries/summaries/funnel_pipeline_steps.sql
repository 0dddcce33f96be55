-- One row per (pipeline, stage) that is a funnel step: the steps of each pipeline, numbered.
-- Params: none (materialised as summary_funnel_pipeline_steps after every load and undo).
-- Steps are the open stages in stage_order, then the won stage as the last step, whatever its
-- stage_order; the lost stage is never a step. A pipeline with several won stages has one won
-- step, named after the first of them, and each of its won stages maps to it.
-- summary_funnel_stage_entries reads this table: summaries are rebuilt in name order and
-- "funnel_pipeline_steps" sorts before "funnel_stage_entries" (tests/analytics/funnel/test_funnel.py checks it).
with

stages as (
    select distinct pipeline, stage, stage_order, status
    from pipeline_stages
    where status in ('open', 'won') and pipeline is not null and stage is not null
),

open_steps as (
    select
        pipeline,
        stage,
        cast(row_number() over (partition by pipeline order by stage_order, stage) as integer)
            as step_number,
        stage as step_name,
        false as is_won_step
    from stages
    where status = 'open'
),

won_stages as (
    select
        pipeline,
        stage,
        first(stage order by stage_order, stage) over (partition by pipeline) as step_name
    from stages
    where status = 'won'
),

won_step as (
    select
        w.pipeline,
        w.stage,
        cast(coalesce((select max(o.step_number) from open_steps o
                       where o.pipeline = w.pipeline), 0) + 1 as integer) as step_number,
        w.step_name,
        true as is_won_step
    from won_stages w
),

final as (
    select * from open_steps
    union all
    select * from won_step
)

select * from final
