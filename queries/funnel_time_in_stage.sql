-- One row per open step of one pipeline: how long deals stayed before moving on (days).
-- Params: $start_date, $end_date (inclusive dates on created_at), $segments, $regions,
--         $owners, $teams (lists, null = all; owner = deal owner), $pipeline.
-- Time in step k = from the deal’s first dated entry into k to the first dated entry into any
-- later step after that (a skipped stage passes its time to the step before it; a deal that
-- went back re-enters and is measured from its first entry to when it first moved past k).
-- Only deals that moved on are measured: deals lost or still open in k are not; nor are deals
-- without stage history (creation and close dates alone say nothing about the stages between).
-- The won step ends the funnel and has no row. Median and 75th percentile of measured deals.
-- days_in_step is computed once per load in summary_funnel_stage_reached.
-- count_ever_measured: deals of the pipeline measured in any period (the other filters
-- applied); 0 means it has no stage history at all, a cause the page names (issue 19, 5).
-- Read from summary_funnel_step_measured (issue 18).
with

in_scope as (
    -- deals_in_scope on the summary, in two branches (migrations/0008_deal_row_scope.sql).
    select *
    from summary_funnel_stage_reached
    where pipeline = $pipeline
        and days_in_step is not null
        and in_period(created_at, $start_date, $end_date)
        and deal_row_in_scope_one_copy(owner, account_copies, segment, region,
            $segments, $regions, $owners, $teams)
    union all
    select *
    from summary_funnel_stage_reached
    where pipeline = $pipeline
        and days_in_step is not null
        and in_period(created_at, $start_date, $end_date)
        and deal_row_in_scope_copies(owner, account_copies, account_id,
            $segments, $regions, $owners, $teams)
),

ever_measured as (
    -- Summed from summary_funnel_step_measured (measured steps per scope columns), with the
    -- same two branches.
    select cast(coalesce(sum(count_measured), 0) as bigint) as count_ever_measured
    from (
        select count_measured
        from summary_funnel_step_measured
        where pipeline = $pipeline
            and deal_row_in_scope_one_copy(owner, account_copies, segment, region,
                $segments, $regions, $owners, $teams)
        union all
        select count_measured
        from summary_funnel_step_measured
        where pipeline = $pipeline
            and deal_row_in_scope_copies(owner, account_copies, account_id,
                $segments, $regions, $owners, $teams)
    ) as measured
),

durations as (
    select step_number, days_in_step
    from in_scope
),

steps as (
    -- Step names only for a pipeline with a deal inside the grant (any period): stage names
    -- are data, and the picker never offers another pipeline (funnel_pipelines.sql).
    select distinct step_number, step_name
    from summary_funnel_pipeline_steps
    where pipeline = $pipeline and not is_won_step
        and exists (
            select 1
            from summary_funnel_stage_reached r
            where r.pipeline = $pipeline and r.step_number = 1
                and (deal_row_in_scope_one_copy(r.owner, r.account_copies, r.segment,
                        r.region, $segments, $regions, $owners, $teams)
                    or deal_row_in_scope_copies(r.owner, r.account_copies, r.account_id,
                        $segments, $regions, $owners, $teams))
        )
),

measured as (
    select
        s.step_number,
        s.step_name,
        count(d.days_in_step) as count_deals_measured,
        -- Median and 75th percentile from one aggregate: median() beside quantile_cont(0.75)
        -- kept every day twice (65 -> 44 ms at a million deals, issue 18); median is
        -- quantile_cont at 0.5, the same interpolation.
        quantile_cont(d.days_in_step, [0.5, 0.75]) as quantiles,
        e.count_ever_measured
    from steps s
    left join durations d using (step_number)
    cross join ever_measured e
    group by all
),

final as (
    select
        step_number,
        step_name,
        count_deals_measured,
        quantiles[1] as median_days,
        quantiles[2] as p75_days,
        count_ever_measured
    from measured
)

select * from final order by step_number
