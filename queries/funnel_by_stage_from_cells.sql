-- One row per (group, step) of one pipeline’s funnel with no conversion window: funnel_by_stage
-- (see that file: columns, rules, order) read from summary_funnel_stage_reached_by_day, its
-- rows counted by day, instead of from every deal’s rows (issue 18). The window and the
-- breakdowns by source, product and product series need the rows: data.py runs
-- funnel_by_stage for them.
-- Params: $start_date, $end_date (inclusive dates on created_at), $segments, $regions, $owners,
--         $teams (lists, null = all; owner = deal owner), $pipeline,
--         $dimension (null = one group "All deals"; "segment", "region", "owner" or
--         "created_month" (first day of the month, YYYY-MM-DD); any other: no group has a
--         value, so ask funnel_by_stage instead).
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
        case $dimension
            when 'segment' then segment
            when 'region' then region
            when 'owner' then owner
        end as group_text,
        case when $dimension = 'created_month' then date_trunc('month', created_day) end
            as month_start,
        last_stage_unknown as is_stop_unknown
    from in_scope
),

counted as (
    select
        coalesce(
            group_text,
            strftime(month_start, '%Y-%m-%d'),
            case when $dimension is null then 'All deals' else '(not set)' end
        ) as group_value,
        step_number,
        count_reached,
        amount_reached,
        count_won,
        count_lost,
        count_stop_unknown
    from (
        -- Sums of the cells' counts, as bigint: what count(*) of the rows gives.
        select
            group_text,
            month_start,
            step_number,
            cast(sum(count_rows) as bigint) as count_reached,
            sum(amount) as amount_reached,
            cast(coalesce(sum(count_rows) filter (where step_number = 1 and status = 'won'), 0)
                as bigint) as count_won,
            cast(coalesce(sum(count_rows) filter (where step_number = 1 and status = 'lost'), 0)
                as bigint) as count_lost,
            cast(coalesce(sum(count_rows) filter (where is_stop_unknown), 0) as bigint)
                as count_stop_unknown
        from reached
        group by group_text, month_start, step_number
    )
),

group_totals as (
    select group_value, count_won, count_lost, count_stop_unknown
    from counted
    where step_number = 1
),

final as (
    select
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
    left join counted c on c.group_value = g.group_value and c.step_number = s.step_number
)

select * from final order by group_value, step_number
