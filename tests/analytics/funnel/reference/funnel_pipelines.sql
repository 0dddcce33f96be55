-- Frozen: reads the canonical tables and the ref_ macros and tables of
-- tests/analytics/reference.py only (never a live macro or summary).
-- One row per pipeline with funnel steps, plus one row (pipeline null) for deals whose pipeline
-- has no steps: the pipelines the funnel page offers, the biggest first.
-- Params: $start_date, $end_date (inclusive dates on created_at, null = open-ended),
--         $segments, $regions, $owners (lists, null = all; owner = deal owner).
-- count_deals follows the filters (deals counted by creation date); count_deals_any ignores
-- the period (not the segment, region and owner filters, so it never counts deals outside a
-- person's grant) and breaks ties, so the default pipeline is the one with most deals.
with

steps as (
    select pipeline, count(distinct step_number) as count_steps
    from ref_summary_funnel_pipeline_steps
    group by pipeline
),

placed as (
    select distinct deal_id, pipeline
    from ref_summary_funnel_stage_entries
    where evidence = 'created'
),

deals_any as (
    select d.deal_id, p.pipeline
    from ref_deals_in_scope($segments, $regions, $owners) d
    left join placed p using (deal_id)
),

deals_filtered as (
    select deal_id
    from ref_deals_in_scope($segments, $regions, $owners)
    where ref_in_period(created_at, $start_date, $end_date)
),

counted as (
    select
        pipeline,
        count(*) filter (where deal_id in (select deal_id from deals_filtered)) as count_deals,
        count(*) as count_deals_any
    from deals_any
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
    where c.count_deals_any > 0  -- issue 21: only pipelines with a deal inside the grant
)

select * from final
order by pipeline is null, count_deals desc, count_deals_any desc, pipeline
