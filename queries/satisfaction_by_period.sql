-- One row per survey type and period of responded_at (week from Monday, month or quarter),
-- for the periods that have answers; plus, per type, one row with period_start null counting
-- the answers that have no date (returned whatever the period, so the page can say how many
-- a period leaves out; with no period they count in the totals, product.md).
-- Params: $start_date, $end_date (inclusive dates on responded_at, null = open-ended),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = account owner),
--         $grain ('week', 'month' or 'quarter').
-- Counts and sums only: NPS, CSAT, CES and their margins are computed in dashboard/core/measures.py.
-- Answer classes (promoter, detractor, satisfied on a 1-5 or 1-10 CSAT scale) come from
-- summary_satisfaction_responses, added up per load by scope key into
-- summary_satisfaction_rollup_months (whole months) and _days (the days of the months a period
-- cuts, every day for weeks, and the undated answers): the same answers, each counted once.
-- Scope on a rollup row: its one account's segment, region and owner (account_copies 1), the
-- account_in_scope macro for an account loaded twice, and no account only with no filter.
with

rollup as (
    select
        'month' as source, month_start as day, month_start, survey_type, account_copies,
        segment, region, owner, account_id, responses, promoters, detractors, satisfied,
        score_sum, score_squares
    from summary_satisfaction_rollup_months
    union all
    select
        'day', day, cast(date_trunc('month', day) as date), survey_type, account_copies,
        segment, region, owner, account_id, responses, promoters, detractors, satisfied,
        score_sum, score_squares
    from summary_satisfaction_rollup_days
),

-- Whole months (every day in the period) count from the month rows, unless the grain is week;
-- the other dated days, and the undated answers, from the day rows.
placed_in_months as (
    select
        *,
        $grain <> 'week'
            and ($start_date is null or month_start >= cast($start_date as date))
            and ($end_date is null
                 or month_start + interval 1 month
                     <= cast($end_date as timestamp) + interval 1 day) as is_whole_month
    from rollup
),

counted as (
    select *
    from placed_in_months
    where case source
        when 'month' then is_whole_month
        else day is null or (not is_whole_month and in_period(day, $start_date, $end_date))
    end
),

scoped as (
    select *
    from counted
    where account_filter_off($segments, $regions, $owners, $teams)
        or (account_copies = 1
            and ($segments is null or list_contains(cast($segments as varchar[]), segment))
            and ($regions is null or list_contains(cast($regions as varchar[]), region))
            and ($owners is null or list_contains(cast($owners as varchar[]), owner))
            and owner_in_teams(owner, $teams))
        or (account_copies > 1
            and account_in_scope(account_id, $segments, $regions, $owners, $teams))
),

placed as (
    select
        *,
        case
            when $grain in ('week', 'month', 'quarter')
                then cast(date_trunc($grain, day) as date)
            else error('grain must be week, month or quarter')
        end as period_start
    from scoped
),

final as (
    select
        survey_type,
        period_start,
        cast(sum(responses) as bigint) as responses,
        cast(sum(promoters) as bigint) as promoters,
        cast(sum(detractors) as bigint) as detractors,
        cast(sum(satisfied) as bigint) as satisfied,
        sum(score_sum) as score_sum,
        sum(score_squares) as score_squares
    from placed
    group by survey_type, period_start
    order by survey_type, period_start nulls first
)

select * from final
