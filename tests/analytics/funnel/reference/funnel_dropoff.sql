-- Frozen: reads the canonical tables and the ref_ macros and tables of
-- tests/analytics/reference.py only (never a live macro or summary).
-- One row per deal whose furthest step is $step_number: it reached that step and went no
-- further (lost there, or still open there), with its account, owner, amount and stage dates.
-- Params: $start_date, $end_date (inclusive dates on created_at), $segments, $regions, $owners
--         (lists, null = all; owner = deal owner), $pipeline, $window_days (null = no window),
--         $step_number (the step the deals stopped at).
-- Accounts missing from the accounts table show their id as name.
-- Same cohort and reached rule as funnel_by_stage, so the list has as many rows as
-- reached(k) - reached(k+1). entered_step_at is the first dated entry into the step (null
-- when only inferred); stage_path lists every dated step entry (history, creation, win) and
-- the lost stage from history, in time order.
with

entries as (
    select deal_id, step_number, entered_at, days_after_created
    from ref_summary_funnel_stage_entries
    where pipeline = $pipeline
),

cohort as (
    select d.deal_id, d.deal_name, d.account_id, d.owner, d.status, d.stage, d.amount,
        d.created_at, d.closed_at, d.loss_reason
    from ref_deals_in_scope($segments, $regions, $owners) d
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

stopped as (
    select c.*
    from cohort c
    join furthest f using (deal_id)
    where f.furthest_step = $step_number
),

step_names as (
    select distinct step_number, step_name
    from ref_summary_funnel_pipeline_steps
    where pipeline = $pipeline
),

dated_steps as (
    -- Every dated entry, so a deal that went back shows it; creation and history rows for the
    -- same moment collapse into one.
    select distinct e.deal_id, n.step_name as stage, e.entered_at
    from entries e
    join step_names n using (step_number)
    where e.entered_at is not null and e.deal_id in (select deal_id from stopped)
),

lost_rows as (
    -- The lost stage is no step, but its date belongs in the story of the deal.
    select distinct h.deal_id, h.stage, h.entered_at
    from deal_stage_history h
    join pipeline_stages p on p.stage = h.stage and p.pipeline = $pipeline and p.status = 'lost'
    where h.deal_id in (select deal_id from stopped) and h.entered_at is not null
),

paths as (
    select
        deal_id,
        string_agg(stage || ' ' || strftime(entered_at, '%Y-%m-%d'), ' → '
            order by entered_at, stage) as stage_path
    from (select * from dated_steps union all select * from lost_rows)
    group by deal_id
),

account_names as (
    select account_id, arg_max(account_name, load_id) as account_name
    from accounts
    group by account_id
),

entered_step as (
    select deal_id, min(entered_at) as entered_step_at
    from entries
    where step_number = $step_number and deal_id in (select deal_id from stopped)
    group by deal_id
),

final as (
    select
        s.deal_id,
        s.deal_name,
        coalesce(a.account_name, s.account_id) as account_name,
        s.owner,
        s.status,
        s.stage as current_stage,
        s.amount,
        s.created_at,
        e.entered_step_at,
        s.closed_at,
        s.loss_reason,
        p.stage_path
    from stopped s
    left join account_names a using (account_id)
    left join entered_step e using (deal_id)
    left join paths p using (deal_id)
)

select * from final
order by status = 'open', amount desc nulls last, deal_id
