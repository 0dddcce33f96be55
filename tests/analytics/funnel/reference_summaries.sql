-- Frozen copies of queries/summaries/funnel_pipeline_steps.sql and funnel_stage_entries.sql as
-- they were when the reference queries beside this file were frozen, as temp tables with a
-- ref_ prefix (tests/analytics/reference.py creates them): the references read these and
-- the canonical tables only, never today's summaries.

-- One row per (pipeline, stage) that is a funnel step: the steps of each pipeline, numbered.
-- Steps are the open stages in stage_order, then the won stage as the last step, whatever its
-- stage_order; the lost stage is never a step. A pipeline with several won stages has one won
-- step, named after the first of them, and each of its won stages maps to it.
-- ref_summary_funnel_stage_entries below reads this table.
create or replace temp table ref_summary_funnel_pipeline_steps as
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

select * from final;

-- One row per piece of evidence that a deal entered a funnel step of its pipeline.
-- The evidence, after product.md’s "reached" rule:
--   history  a deal_stage_history row for a step of the deal’s own pipeline (dated entered_at);
--            rows for the lost stage, or for stages of another pipeline, are not evidence
--   created  every deal entered the first step when it was created (dated created_at)
--   won      a won deal entered the won step when it closed (dated closed_at)
--   current  the deal’s current stage when it is a step (undated: when it got there is unknown)
-- So without history an open deal reached its current stage, a won deal every step and a lost
-- deal the first step; with history, the furthest step its history (or status) shows.
-- The funnel_* queries apply the rule: a deal reached step k when its furthest evidence is
-- step k or later. Skipped stages: history that jumps from step 2 to step 4 counts step 3 as
-- reached too (a later step implies the earlier ones, so a funnel never widens). A deal that
-- moved backwards has several rows for a step and is still counted once per step.
-- Pipeline: the deal’s own; a deal with no pipeline belongs to the only pipeline when there is
-- exactly one. Deals whose pipeline has no steps have no rows (funnel_pipelines counts them).
create or replace temp table ref_summary_funnel_stage_entries as
with

steps as (
    select pipeline, stage, step_number, is_won_step from ref_summary_funnel_pipeline_steps
),

sole_pipeline as (
    select min(pipeline) as pipeline from steps having count(distinct pipeline) = 1
),

placed_deals as (
    select
        deal_id,
        -- A number per deal id, so the summaries built from this one join on integers.
        dense_rank() over (order by deal_id) as deal_key,
        coalesce(pipeline, (select pipeline from sole_pipeline)) as pipeline,
        stage,
        status,
        created_at,
        closed_at
    from deals
),

history_evidence as (
    select d.deal_id, d.deal_key, d.pipeline, s.step_number, h.entered_at, 'history' as evidence
    from deal_stage_history h
    join placed_deals d using (deal_id)
    join steps s on s.pipeline = d.pipeline and s.stage = h.stage
),

created_evidence as (
    select
        d.deal_id, d.deal_key, d.pipeline, 1 as step_number, d.created_at as entered_at, 'created'
    from placed_deals d
    where d.pipeline in (select pipeline from steps)
),

won_evidence as (
    select distinct
        d.deal_id, d.deal_key, d.pipeline, s.step_number, d.closed_at as entered_at, 'won'
    from placed_deals d
    join steps s on s.pipeline = d.pipeline and s.is_won_step
    where d.status = 'won'
),

current_evidence as (
    select d.deal_id, d.deal_key, d.pipeline, s.step_number, cast(null as timestamp) as entered_at,
        'current'
    from placed_deals d
    join steps s on s.pipeline = d.pipeline and s.stage = d.stage
),

evidence as (
    select * from history_evidence
    union all select * from created_evidence
    union all select * from won_evidence
    union all select * from current_evidence
),

final as (
    select
        e.deal_id,
        cast(e.deal_key as bigint) as deal_key,
        e.pipeline,
        cast(e.step_number as integer) as step_number,
        e.entered_at,
        e.evidence,
        -- For the conversion window; null when either date is missing.
        date_diff('second', d.created_at, e.entered_at) / 86400.0 as days_after_created
    from evidence e
    join placed_deals d on d.deal_key = e.deal_key
)

select * from final;
