-- One row per survey type and group of the chosen dimension, answers in the period.
-- Params: $start_date, $end_date (inclusive dates on responded_at, null = open-ended),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = account owner),
--         $dimension ('segment', 'region', 'owner' = the account owner, or 'channel' = the
--         channel the survey was answered on).
-- Answers whose account is not in the accounts table fall in 'Not in accounts' (segment,
-- region, owner); blanks in 'No segment', 'No region', 'No owner', 'No channel'.
-- Counts and sums only: rates and margins are computed in dashboard/core/measures.py.
with

responses as (
    select *
    from summary_satisfaction_responses
    where score is not null
),

accounts_once as (
    select account_id, segment, region, owner
    from accounts
    qualify row_number() over (partition by account_id order by load_id desc) = 1
),

scoped as (
    select *
    from responses
    where in_period(responded_at, $start_date, $end_date)
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
            when accounts_once.account_id is null then 'Not in accounts'
            when $dimension = 'segment' then coalesce(nullif(trim(segment), ''), 'No segment')
            when $dimension = 'region' then coalesce(nullif(trim(region), ''), 'No region')
            else coalesce(nullif(trim(owner), ''), 'No owner')
        end as group_value
    from scoped
    left join accounts_once using (account_id)
),

final as (
    select
        survey_type,
        group_value,
        count(*) as responses,
        count(*) filter (where is_promoter) as promoters,
        count(*) filter (where is_detractor) as detractors,
        count(*) filter (where is_satisfied) as satisfied,
        sum(score) as score_sum,
        sum(score * score) as score_squares
    from grouped
    group by survey_type, group_value
    order by survey_type, group_value
)

select * from final
