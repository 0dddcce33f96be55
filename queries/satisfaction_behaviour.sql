-- One row per survey type and outcome: did the account order in the $window_days days after
-- answering? Outcomes: 'ordered' (an order dated after the answer, within the window),
-- 'not_ordered', 'window_open' (the window reaches past the last order in the data: too
-- early to tell, whether or not an order came already, so both sides stay comparable), 'no_account' (no account id: cannot be followed), 'no_orders' (no
-- dated order is loaded at all). Each answer counts once; an account answering twice counts
-- twice.
-- Params: $start_date, $end_date (inclusive dates on responded_at, null = open-ended),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = account owner),
--         $window_days (whole days after the answer, 1 or more).
-- Answers without a date are left out (they cannot start a window).
-- Counts and sums only: rates and margins are computed in dashboard/core/measures.py.
with

responses as (
    select *
    from summary_satisfaction_responses
    where score is not null and responded_at is not null
),

dated_orders as (
    select account_id, ordered_at
    from orders
    where account_id is not null and ordered_at is not null
),

data_end as (
    select max(ordered_at) as last_order_at
    from dated_orders
),

scoped as (
    select *
    from responses
    where in_period(responded_at, $start_date, $end_date)
        and account_in_scope(account_id, $segments, $regions, $owners, $teams)
),

windows as (
    select
        scoped.*,
        scoped.responded_at + to_days(cast($window_days as integer)) as window_end_at,
        data_end.last_order_at
    from scoped
    cross join data_end
),

classified as (
    select
        *,
        case
            when $window_days < 1 then error('window_days must be 1 or more')
            when account_id is null then 'no_account'
            when last_order_at is null then 'no_orders'
            -- before looking for an order, so recent answers never join one side only
            when window_end_at > last_order_at then 'window_open'
            -- the first order after the answer (summary_satisfaction_responses) is in the window
            when next_order_at <= window_end_at then 'ordered'
            else 'not_ordered'
        end as outcome
    from windows
),

final as (
    select
        survey_type,
        outcome,
        count(*) as responses,
        count(*) filter (where is_promoter) as promoters,
        count(*) filter (where is_detractor) as detractors,
        count(*) filter (where is_satisfied) as satisfied,
        sum(score) as score_sum,
        sum(score * score) as score_squares
    from classified
    group by survey_type, outcome
    order by survey_type, outcome
)

select * from final
