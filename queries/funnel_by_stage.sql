-- One row per (group, step) of one pipeline’s funnel: deals that reached the step, their
-- amount, and the group’s won and lost deals (for the win rate), and its lost deals whose last
-- stage is unknown (count_stop_unknown: see the `reached` CTE).
-- Params: $start_date, $end_date (inclusive dates on created_at: deals are counted by their
--         creation date), $segments, $regions, $owners, $teams (lists, null = all; owner = deal owner),
--         $pipeline (whose steps are counted; other pipelines never mix in),
--         $window_days (null = no window; else a step counts only when entered within that
--         many days of the deal’s creation, so undated evidence no longer counts),
--         $dimension (null = one group "All deals"; "segment", "region", "owner", "source",
--         "product", "product_series" (the product's series in the products table, names
--         matched by product_key: case and spaces ignored) or "created_month" (first day of
--         the month, YYYY-MM-DD)).
-- Reached: a deal reached step k when its furthest evidence in summary_funnel_stage_entries
-- (see that file) is k or later; every deal reached the first step. Each deal counts once per
-- step. Groups with no value are "(not set)". Every (group, step) has a row, zeros included.
-- One scan of summary_funnel_stage_reached (a row per deal and step it reached; see it for
-- days_to_reach): the deal's step-1 row puts it in the cohort.
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

product_series as (
    -- One series per product name as matched (the first in name order if spellings differ).
    select product_key(product) as product_key, min(series) as series
    from products
    where series is not null
    group by 1
),

reached as (
    -- Months are formatted after grouping: once per group, not once per row.
    select
        step_number,
        amount,
        status,
        case $dimension
            when 'segment' then segment
            when 'region' then region
            when 'owner' then owner
            when 'source' then source
            when 'product' then product
            when 'product_series' then ps.series
        end as group_text,
        case when $dimension = 'created_month' then date_trunc('month', created_at) end
            as month_start,
        -- Last stage unknown (summary_funnel_stage_reached.last_stage_unknown): a lost deal
        -- the funnel places at step 1 only, though it may have been lost at any stage.
        last_stage_unknown as is_stop_unknown
    from in_scope
    left join product_series ps
        on $dimension = 'product_series' and ps.product_key = product_key(in_scope.product)
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
        select
            group_text,
            month_start,
            step_number,
            count(*) as count_reached,
            sum(amount) as amount_reached,
            count(*) filter (where step_number = 1 and status = 'won') as count_won,
            count(*) filter (where step_number = 1 and status = 'lost') as count_lost,
            count(*) filter (where is_stop_unknown) as count_stop_unknown
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
