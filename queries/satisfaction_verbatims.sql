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

accounts_once as (
    select account_id, account_name, segment
    from accounts
    qualify row_number() over (partition by account_id order by load_id desc) = 1
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

final as (
    select
        scoped.responded_at,
        scoped.survey_type,
        scoped.score,
        scoped.scale_max,
        case
            when scoped.score is null then null
            when scoped.is_promoter then 'promoter'
            when scoped.is_detractor then 'detractor'
            when scoped.survey_type = 'nps' then 'passive'
            when scoped.is_satisfied then 'satisfied'
            when scoped.survey_type = 'csat' then 'not satisfied'
        end as answer_class,
        coalesce(nullif(trim(accounts_once.account_name), ''), scoped.account_id) as account_name,
        accounts_once.segment,
        scoped.channel,
        scoped.comment,
        scoped.response_id,
        count(*) over () as count_matching
    from scoped
    left join accounts_once using (account_id)
    order by scoped.responded_at desc nulls last, scoped.response_id
    limit $limit
)

select * from final
