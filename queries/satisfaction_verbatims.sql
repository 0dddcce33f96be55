-- One row per survey comment in the period, newest first, at most $limit rows;
-- count_matching holds how many comments match in all (before the limit).
-- Params: $start_date, $end_date (inclusive dates on responded_at, null = open-ended),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = account owner),
--         $survey_type ('nps', 'csat', 'ces' or null = all),
--         $search (text the comment must contain, any case; null = no search; % and _ are
--         matched as themselves, not as wildcards),
--         $limit (most rows returned).
-- A comment whose answer has no score is still shown (score empty).
with

responses as (
    select *
    from summary_satisfaction_responses
    where nullif(trim(comment), '') is not null
),

scoped as (
    select *
    from responses
    where in_period(responded_at, $start_date, $end_date)
        and account_in_scope(account_id, $segments, $regions, $owners, $teams)
        and ($survey_type is null or survey_type = $survey_type)
        and ($search is null
            or comment ilike '%' || replace(replace(replace(
                $search, '\', '\\'), '%', '\%'), '_', '\_') || '%' escape '\')
),

-- The newest $limit answers first, counted over all that match; their accounts' names after,
-- so the join reads a page of answers, not every comment.
kept as (
    select *, count(*) over () as count_matching
    from scoped
    order by responded_at desc nulls last, response_id
    limit $limit
),

accounts_once as (
    select account_id, account_name, segment
    from accounts
    where account_id in (select account_id from kept)
    qualify row_number() over (partition by account_id order by load_id desc) = 1
),

final as (
    select
        kept.responded_at,
        kept.survey_type,
        kept.score,
        kept.scale_max,
        case
            when kept.score is null then null
            when kept.is_promoter then 'promoter'
            when kept.is_detractor then 'detractor'
            when kept.survey_type = 'nps' then 'passive'
            when kept.is_satisfied then 'satisfied'
            when kept.survey_type = 'csat' then 'not satisfied'
        end as answer_class,
        coalesce(nullif(trim(accounts_once.account_name), ''), kept.account_id) as account_name,
        accounts_once.segment,
        kept.channel,
        kept.comment,
        kept.response_id,
        kept.count_matching
    from kept
    left join accounts_once using (account_id)
)

select * from final
order by responded_at desc nulls last, response_id
