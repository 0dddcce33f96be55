-- One row per deal whose furthest step is $step_number, with no conversion window: the rows
-- of funnel_dropoff.sql with no window_days (see that file: columns, rules, counts on
-- every row, order), read from summary_funnel_stopped (the stopped rows in the list's order)
-- and summary_funnel_stopped_shown (what the list shows of each) instead of from every step
-- of every deal of the period: at a million deals the page's first rows took some 110 ms
-- (issue 18). With a window, data.py runs funnel_dropoff.sql.
-- Params: $start_date, $end_date (inclusive dates on created_at), $segments, $regions, $owners,
--         $teams (lists, null = all; owner = deal owner, team = the deal owner's), $pipeline,
--         $step_number (0 = the lost deals whose last stage is unknown), $row_limit (the first
--         rows in the list's order, null = all).
with

in_scope as (
    -- deals_in_scope on the summary, in two branches (migrations/0008_deal_row_scope.sql).
    select *
    from summary_funnel_stopped
    where pipeline = $pipeline
        and step_number = greatest($step_number, 1)
        and in_period(created_at, $start_date, $end_date)
        and deal_row_in_scope_one_copy(owner, account_copies, segment, region,
            $segments, $regions, $owners, $teams)
    union all
    select *
    from summary_funnel_stopped
    where pipeline = $pipeline
        and step_number = greatest($step_number, 1)
        and in_period(created_at, $start_date, $end_date)
        and deal_row_in_scope_copies(owner, account_copies, account_id,
            $segments, $regions, $owners, $teams)
),

stopped as not materialized (
    -- Not materialized (read twice, by totals and kept): materialized, the top-N below could
    -- no longer skip row groups (34 -> 43 ms at a million deals).
    select deal_id, list_key, owner, status, amount, created_at, closed_at, first_entered_at
    from in_scope
    -- Last stage unknown, as funnel_by_stage defines it: listed apart (step 0).
    where last_stage_unknown = ($step_number = 0)
),

totals as (
    -- The whole list's counts, once (the caption), whatever $row_limit keeps.
    select
        count(*) as count_deals,
        sum(case when status = 'lost' then 1 else 0 end) as count_lost,
        sum(case when status = 'open' then 1 else 0 end) as count_open,
        count(amount) as count_with_amount,
        sum(amount) as amount_total
    from stopped
),

kept as (
    -- The first $row_limit rows in the list's order: list_key, then deal_id. Ordered by the
    -- stored key, the top-N skips the row groups whose keys cannot make the list.
    select *
    from stopped
    order by list_key, deal_id
    limit coalesce($row_limit, 2147483647)
),

shown as (
    select deal_id, list_key, deal_name, account_id, account_name, stage, loss_reason, stage_path
    from summary_funnel_stopped_shown
    where pipeline = $pipeline
        and step_number = greatest($step_number, 1)
        and in_period(created_at, $start_date, $end_date)
),

final as (
    select
        s.deal_id,
        d.deal_name,
        coalesce(d.account_name, d.account_id) as account_name,
        s.owner,
        s.status,
        d.stage as current_stage,
        s.amount,
        s.created_at,
        s.first_entered_at as entered_step_at,
        s.closed_at,
        d.loss_reason,
        d.stage_path,
        t.count_deals,
        t.count_lost,
        t.count_open,
        t.count_with_amount,
        t.amount_total
    from kept s
    cross join totals t
    join shown d on d.deal_id = s.deal_id and d.list_key = s.list_key
)

select * from final
order by status = 'open', amount desc nulls last, deal_id
