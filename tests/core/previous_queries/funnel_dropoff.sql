-- One row per deal whose furthest step is $step_number: it reached that step and went no
-- further (lost there, or still open there), with its account, owner, amount and stage dates.
-- Params: $start_date, $end_date (inclusive dates on created_at), $segments, $regions, $owners,
--         $teams (lists, null = all; owner = deal owner, team = the deal owner's), $pipeline, $window_days (null = no window),
--         $step_number (the step the deals stopped at; 0 = the lost deals whose last stage is
--         unknown, which step 1 leaves out: funnel_by_stage's count_stop_unknown), $row_limit (the first rows in the
--         list's order, null = all: the page shows a page of them and fetches the full list
--         only for the download).
-- count_deals, count_lost, count_open, count_with_amount and amount_total on every row are
-- the whole list's, whatever $row_limit keeps (the caption above the list).
-- Accounts missing from the accounts table show their id as name.
-- Same cohort and reached rule as funnel_by_stage, so the list has as many rows as
-- reached(k) - reached(k+1). entered_step_at is the first dated entry into the step (null
-- when only inferred); stage_path lists every dated step entry (history, creation, win) and
-- the lost stage from history, in time order. All from summary_funnel_stage_reached: the
-- deal's row at the step, and its step-1 row for what the list shows of it.
with

in_scope as (
    -- deals_in_scope on the summary, in two branches (migrations/0008_deal_row_scope.sql).
    select *
    from summary_funnel_stage_reached
    where pipeline = $pipeline
        and step_number = greatest($step_number, 1)
        and in_period(created_at, $start_date, $end_date)
        and deal_row_in_scope_one_copy(owner, account_copies, segment, region,
            $segments, $regions, $owners, $teams)
    union all
    select *
    from summary_funnel_stage_reached
    where pipeline = $pipeline
        and step_number = greatest($step_number, 1)
        and in_period(created_at, $start_date, $end_date)
        and deal_row_in_scope_copies(owner, account_copies, account_id,
            $segments, $regions, $owners, $teams)
),

stopped as (
    select deal_id, owner, status, amount, created_at, closed_at, first_entered_at
    from in_scope
    where (step_number = 1 or $window_days is null or days_to_reach <= $window_days)
        and not coalesce(case when $window_days is null then has_next
            else next_days_to_reach <= $window_days end, false)
        -- Last stage unknown, as funnel_by_stage defines it: listed apart (step 0).
        and last_stage_unknown = ($step_number = 0)
),

ranked as (
    select
        *,
        row_number() over (
            order by status = 'open', amount desc nulls last, deal_id
        ) as list_position,
        count(*) over () as count_deals,
        sum(case when status = 'lost' then 1 else 0 end) over () as count_lost,
        sum(case when status = 'open' then 1 else 0 end) over () as count_open,
        count(amount) over () as count_with_amount,
        sum(amount) over () as amount_total
    from stopped
),

kept as (
    select * from ranked
    where $row_limit is null or list_position <= $row_limit
),

shown as (
    select deal_id, deal_name, account_id, account_name, stage, loss_reason, stage_path
    from summary_funnel_stage_reached
    where pipeline = $pipeline
        and step_number = 1
        and in_period(created_at, $start_date, $end_date)
        and deal_id in (select deal_id from kept)
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
        s.count_deals,
        s.count_lost,
        s.count_open,
        s.count_with_amount,
        s.amount_total
    from kept s
    join shown d using (deal_id)
)

select * from final
order by status = 'open', amount desc nulls last, deal_id
