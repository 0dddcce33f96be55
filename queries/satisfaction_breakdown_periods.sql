-- One row per period (is_previous), survey type and group of the chosen dimension: the answers
-- in the period, and with both dates given (is_previous true) those in the previous period of
-- equal length (Filters.previous_period: the L days just before $start_date, L the period's
-- length in days), read in one pass (issue 18: the page ran the query once per period).
-- Params: $start_date, $end_date (inclusive dates on responded_at, null = open-ended),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = account owner),
--         $dimension ('segment', 'region', 'owner' = the account owner, or 'channel' = the
--         channel the survey was answered on).
-- Answers whose account is not in the accounts table fall in 'Not in accounts' (segment,
-- region, owner); blanks in 'No segment', 'No region', 'No owner', 'No channel'.
-- Counts and sums only: rates and margins are computed in dashboard/core/measures.py.
-- Each answer's account (its last loaded copy) is in summary_satisfaction_responses.
with

responses as (
    select *
    from summary_satisfaction_responses
    where score is not null
),

scoped as (
    select *, coalesce(responded_at < cast($start_date as timestamp), false) as is_previous
    from responses
    where (in_period(responded_at, $start_date, $end_date)
            or (responded_at >= cast($start_date as timestamp)
                    - to_days(cast(date_diff('day', cast($start_date as date),
                        cast($end_date as date)) + 1 as integer))
                and responded_at < cast($start_date as timestamp)))
        and account_in_scope(account_id, $segments, $regions, $owners, $teams)
),

grouped as (
    select
        scoped.*,
        case
            when $dimension = 'channel'
                then coalesce(nullif(trim(scoped.channel), ''), 'No channel')
            when $dimension not in ('segment', 'region', 'owner')
                then error('dimension must be segment, region, owner or channel')
            when not in_accounts then 'Not in accounts'
            when $dimension = 'segment'
                then coalesce(nullif(trim(account_segment), ''), 'No segment')
            when $dimension = 'region'
                then coalesce(nullif(trim(account_region), ''), 'No region')
            else coalesce(nullif(trim(account_owner), ''), 'No owner')
        end as group_value
    from scoped
),

final as (
    select
        is_previous,
        survey_type,
        group_value,
        count(*) as responses,
        count(*) filter (where is_promoter) as promoters,
        count(*) filter (where is_detractor) as detractors,
        count(*) filter (where is_satisfied) as satisfied,
        sum(score) as score_sum,
        sum(score * score) as score_squares
    from grouped
    group by is_previous, survey_type, group_value
    order by is_previous, survey_type, group_value
)

select * from final
