-- Frozen: reads the canonical tables and the ref_ macros and tables of
-- tests/analytics/reference.py only (never a live macro or summary).
-- One row per open step of one pipeline: how long deals stayed before moving on (days).
-- Params: $start_date, $end_date (inclusive dates on created_at), $segments, $regions,
--         $owners (lists, null = all; owner = deal owner), $pipeline.
-- Time in step k = from the deal’s first dated entry into k to the first dated entry into any
-- later step after that (a skipped stage passes its time to the step before it; a deal that
-- went back re-enters and is measured from its first entry to when it first moved past k).
-- Only deals that moved on are measured: deals lost or still open in k are not; nor are deals
-- without stage history (creation and close dates alone say nothing about the stages between).
-- The won step ends the funnel and has no row. Median and 75th percentile of measured deals.
with

entries as (
    select deal_id, step_number, entered_at
    from ref_summary_funnel_stage_entries
    where pipeline = $pipeline
        and entered_at is not null
        and deal_id in (
            select deal_id from ref_deals_in_scope($segments, $regions, $owners)
            where ref_in_period(created_at, $start_date, $end_date)
        )
        and deal_id in (
            select deal_id from ref_summary_funnel_stage_entries
            where pipeline = $pipeline and evidence = 'history'
        )
),

first_entries as (
    select deal_id, step_number, min(entered_at) as entered_at
    from entries
    group by all
),

moved_on as (
    select f.deal_id, f.step_number, f.entered_at, min(e.entered_at) as left_at
    from first_entries f
    join entries e
        on e.deal_id = f.deal_id
        and e.step_number > f.step_number
        and e.entered_at >= f.entered_at
    group by all
),

durations as (
    select step_number, date_diff('second', entered_at, left_at) / 86400.0 as days_in_step
    from moved_on
),

steps as (
    select distinct step_number, step_name
    from ref_summary_funnel_pipeline_steps
    where pipeline = $pipeline and not is_won_step
        -- issue 21: step names only for a pipeline with a deal inside the grant (any period)
        and exists (
            select 1
            from ref_deals_in_scope($segments, $regions, $owners) d
            join ref_summary_funnel_stage_entries e using (deal_id)
            where e.pipeline = $pipeline and e.evidence = 'created'
        )
),

final as (
    select
        s.step_number,
        s.step_name,
        count(d.days_in_step) as count_deals_measured,
        median(d.days_in_step) as median_days,
        quantile_cont(d.days_in_step, 0.75) as p75_days
    from steps s
    left join durations d using (step_number)
    group by all
)

select * from final order by step_number
