-- The plain definition of queries/satisfaction_by_period.sql before it read the per-load rollups
-- (kept for tests/analytics/satisfaction/test_satisfaction_rollup.py to compare against).
-- One row per survey type and period of responded_at (week from Monday, month or quarter),
-- for the periods that have answers; plus, per type, one row with period_start null counting
-- the answers that have no date (returned whatever the period, so the page can say how many
-- a period leaves out; with no period they count in the totals, product.md).
-- Params: $start_date, $end_date (inclusive dates on responded_at, null = open-ended),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = account owner),
--         $grain ('week', 'month' or 'quarter').
-- Counts and sums only: NPS, CSAT, CES and their margins are computed in dashboard/core/measures.py.
-- Answer classes (promoter, detractor, satisfied on a 1-5 or 1-10 CSAT scale) come from
-- summary_satisfaction_responses.
with

responses as (
    select *
    from summary_satisfaction_responses
    where score is not null
),

scoped as (
    select *
    from responses
    where (in_period(responded_at, $start_date, $end_date) or responded_at is null)
        and account_in_scope(account_id, $segments, $regions, $owners, $teams)
),

placed as (
    select
        *,
        case
            when $grain in ('week', 'month', 'quarter')
                then cast(date_trunc($grain, responded_at) as date)
            else error('grain must be week, month or quarter')
        end as period_start
    from scoped
),

final as (
    select
        survey_type,
        period_start,
        count(*) as responses,
        count(*) filter (where is_promoter) as promoters,
        count(*) filter (where is_detractor) as detractors,
        count(*) filter (where is_satisfied) as satisfied,
        sum(score) as score_sum,
        sum(score * score) as score_squares
    from placed
    group by survey_type, period_start
    order by survey_type, period_start nulls first
)

select * from final
