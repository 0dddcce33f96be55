-- One row per (view, group, step) of one pipeline’s funnel, two views from one scan: view
-- 'all' is funnel_by_stage with no dimension (group "All deals"), view 'month' is
-- funnel_by_stage by "created_month" (group = first day of the creation month, YYYY-MM-DD,
-- or "(not set)"). The funnel chart and its monthly trend read the same deals: one scan of
-- summary_funnel_stage_reached instead of two (issue 18). Columns, counts and rules are
-- funnel_by_stage's (see that file), plus `view`.
-- Params: $start_date, $end_date (inclusive dates on created_at), $segments, $regions, $owners,
--         $teams (lists, null = all; owner = deal owner), $pipeline, $window_days (null = no
--         window).
with

steps as (
    select distinct step_number, step_name, is_won_step
    from summary_funnel_pipeline_steps
    where pipeline = $pipeline
),

in_scope as (
    -- deals_in_scope on the summary, in two branches (migrations/0008_deal_row_scope.sql).
    select *
    from summary_funnel_stage_reached
    where pipeline = $pipeline
        and in_period(created_at, $start_date, $end_date)
        and (step_number = 1 or $window_days is null or days_to_reach <= $window_days)
        and deal_row_in_scope_one_copy(owner, account_copies, segment, region,
            $segments, $regions, $owners, $teams)
    union all
    select *
    from summary_funnel_stage_reached
    where pipeline = $pipeline
        and in_period(created_at, $start_date, $end_date)
        and (step_number = 1 or $window_days is null or days_to_reach <= $window_days)
        and deal_row_in_scope_copies(owner, account_copies, account_id,
            $segments, $regions, $owners, $teams)
),

reached as (
    select
        step_number,
        amount,
        status,
        date_trunc('month', created_at) as month_start,
        last_stage_unknown as is_stop_unknown
    from in_scope
),

grouped as (
    -- Both views in one aggregation: the month set, and the step alone (every deal).
    select
        grouping(month_start) = 0 as is_month_view,
        month_start,
        step_number,
        count(*) as count_reached,
        sum(amount) as amount_reached,
        count(*) filter (where step_number = 1 and status = 'won') as count_won,
        count(*) filter (where step_number = 1 and status = 'lost') as count_lost,
        count(*) filter (where is_stop_unknown) as count_stop_unknown
    from reached
    group by grouping sets ((month_start, step_number), (step_number))
),

counted as (
    -- Months are formatted after grouping: once per group, not once per row.
    select
        case when is_month_view then 'month' else 'all' end as view,
        case
            when not is_month_view then 'All deals'
            else coalesce(strftime(month_start, '%Y-%m-%d'), '(not set)')
        end as group_value,
        step_number,
        count_reached,
        amount_reached,
        count_won,
        count_lost,
        count_stop_unknown
    from grouped
),

group_totals as (
    select view, group_value, count_won, count_lost, count_stop_unknown
    from counted
    where step_number = 1
),

final as (
    select
        g.view,
        g.group_value,
        s.step_number,
        s.step_name,
        s.is_won_step,
        coalesce(c.count_reached, 0) as count_reached,
        coalesce(c.amount_reached, 0) as amount_reached,
        g.count_won,
        g.count_lost,
        g.count_stop_unknown
    from group_totals g
    cross join steps s
    left join counted c
        on c.view = g.view and c.group_value = g.group_value and c.step_number = s.step_number
)

select * from final order by view, group_value, step_number
