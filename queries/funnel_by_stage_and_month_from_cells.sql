-- One row per (view, group, step) of one pipeline’s funnel with no conversion window, two views
-- from one scan: funnel_by_stage_and_month (see that file: columns, rules, order) read from
-- summary_funnel_stage_reached_by_day, its rows counted by day, instead of from every deal’s
-- rows (issue 18). With a window, data.py runs funnel_by_stage_and_month.
-- Params: $start_date, $end_date (inclusive dates on created_at), $segments, $regions, $owners,
--         $teams (lists, null = all; owner = deal owner), $pipeline.
with

steps as (
    select distinct step_number, step_name, is_won_step
    from summary_funnel_pipeline_steps
    where pipeline = $pipeline
),

in_scope as (
    -- The cells of the filters, in funnel_by_stage's two branches.
    select *
    from summary_funnel_stage_reached_by_day
    where pipeline = $pipeline
        and in_period(created_day, $start_date, $end_date)
        and deal_row_in_scope_one_copy(owner, account_copies, segment, region,
            $segments, $regions, $owners, $teams)
    union all
    select *
    from summary_funnel_stage_reached_by_day
    where pipeline = $pipeline
        and in_period(created_day, $start_date, $end_date)
        and deal_row_in_scope_copies(owner, account_copies, account_id,
            $segments, $regions, $owners, $teams)
),

reached as (
    select
        step_number,
        count_rows,
        amount,
        status,
        date_trunc('month', created_day) as month_start,
        last_stage_unknown as is_stop_unknown
    from in_scope
),

grouped as (
    -- Both views in one aggregation: the month set, and the step alone (every deal).
    select
        grouping(month_start) = 0 as is_month_view,
        month_start,
        step_number,
        -- Sums of the cells' counts, as bigint: what count(*) of the rows gives.
        cast(sum(count_rows) as bigint) as count_reached,
        sum(amount) as amount_reached,
        cast(coalesce(sum(count_rows) filter (where step_number = 1 and status = 'won'), 0)
            as bigint) as count_won,
        cast(coalesce(sum(count_rows) filter (where step_number = 1 and status = 'lost'), 0)
            as bigint) as count_lost,
        cast(coalesce(sum(count_rows) filter (where is_stop_unknown), 0) as bigint)
            as count_stop_unknown
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
