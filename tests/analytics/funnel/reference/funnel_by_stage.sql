-- Frozen: reads the canonical tables and the ref_ macros and tables of
-- tests/analytics/reference.py only (never a live macro or summary).
-- One row per (group, step) of one pipeline’s funnel: deals that reached the step, their
-- amount, and the group’s won and lost deals (for the win rate).
-- Params: $start_date, $end_date (inclusive dates on created_at: deals are counted by their
--         creation date), $segments, $regions, $owners (lists, null = all; owner = deal owner),
--         $pipeline (whose steps are counted; other pipelines never mix in),
--         $window_days (null = no window; else a step counts only when entered within that
--         many days of the deal’s creation, so undated evidence no longer counts),
--         $dimension (null = one group "All deals"; "segment", "region", "owner", "source",
--         "product" or "created_month" (first day of the month, YYYY-MM-DD)).
-- Reached: a deal reached step k when its furthest evidence in ref_summary_funnel_stage_entries
-- (see that file) is k or later; every deal reached the first step. Each deal counts once per
-- step. Groups with no value are "(not set)". Every (group, step) has a row, zeros included.
with

steps as (
    select distinct step_number, step_name, is_won_step
    from ref_summary_funnel_pipeline_steps
    where pipeline = $pipeline
),

entries as (
    select deal_id, step_number, days_after_created
    from ref_summary_funnel_stage_entries
    where pipeline = $pipeline
),

account_attributes as (
    -- An account loaded twice keeps its latest values, so a deal never counts twice.
    select account_id, arg_max(segment, load_id) as segment, arg_max(region, load_id) as region
    from accounts
    group by account_id
),

cohort as (
    select
        d.deal_id,
        d.amount,
        d.status,
        coalesce(case $dimension
            when 'segment' then a.segment
            when 'region' then a.region
            when 'owner' then d.owner
            when 'source' then d.source
            when 'product' then d.product
            when 'created_month' then strftime(date_trunc('month', d.created_at), '%Y-%m-%d')
        end, case when $dimension is null then 'All deals' else '(not set)' end) as group_value
    from ref_deals_in_scope($segments, $regions, $owners) d
    left join account_attributes a using (account_id)
    where ref_in_period(d.created_at, $start_date, $end_date)
        and d.deal_id in (select deal_id from entries)
),

furthest as (
    select
        deal_id,
        coalesce(max(step_number) filter (where $window_days is null
            or days_after_created <= $window_days), 1) as furthest_step
    from entries
    where deal_id in (select deal_id from cohort)
    group by deal_id
),

deals_reached as (
    select c.*, f.furthest_step
    from cohort c
    join furthest f using (deal_id)
),

group_totals as (
    select
        group_value,
        count(*) filter (where status = 'won') as count_won,
        count(*) filter (where status = 'lost') as count_lost
    from cohort
    group by group_value
),

final as (
    select
        g.group_value,
        s.step_number,
        s.step_name,
        s.is_won_step,
        count(r.deal_id) as count_reached,
        coalesce(sum(r.amount), 0) as amount_reached,
        any_value(g.count_won) as count_won,
        any_value(g.count_lost) as count_lost
    from group_totals g
    cross join steps s
    left join deals_reached r
        on r.group_value = g.group_value and r.furthest_step >= s.step_number
    group by all
)

select * from final order by group_value, step_number
