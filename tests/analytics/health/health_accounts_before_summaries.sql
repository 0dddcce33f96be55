-- A frozen copy of queries/summaries/satisfaction_responses.sql as it was when
-- health_accounts_before.sql was frozen, as a temp table with a ref_ prefix
-- (tests/analytics/reference.py creates it): the reference reads it and the canonical tables
-- only, never today's summaries.

-- One row per survey response, with its answer class.
-- NPS (0-10): promoter 9-10, detractor 0-6, passive 7-8.
-- CSAT: satisfied = the top two boxes of its scale. The scale is decided per upload (load):
--   a load whose CSAT scores go above 5 is on a 1-10 scale (satisfied = 9 or 10); any other
--   load is on 1-5 (satisfied = 4 or 5). The importer reads files without a type column the
--   same way (scores up to 5 = CSAT), so a 1-10 CSAT file needs a survey type column.
-- CES (1-7): the score itself, averaged by the page; lower means less effort.
-- Responses without a score are kept (their comment is still a verbatim) but never counted.
-- next_order_at: the account's first dated order strictly after the answer (any amount; null
--   when none, or the answer has no account or date), so satisfaction_behaviour needs no join
--   of answers with every order on each click. Rebuilt when orders load, too.
create or replace temp table ref_summary_satisfaction_responses as
with

responses as (
    select response_id, account_id, responded_at, survey_type, score, comment, channel, load_id
    from surveys
),

csat_scales as (
    select load_id, case when max(score) > 5 then 10 else 5 end as csat_scale_max
    from responses
    where survey_type = 'csat'
    group by load_id
),

answer_times as (
    select distinct account_id, responded_at
    from responses
    where account_id is not null and responded_at is not null
),

next_orders as (
    select t.account_id, t.responded_at, min(o.ordered_at) as next_order_at
    from answer_times t
    join orders o on o.account_id = t.account_id and o.ordered_at > t.responded_at
    group by t.account_id, t.responded_at
),

final as (
    select
        responses.response_id,
        responses.account_id,
        responses.responded_at,
        responses.survey_type,
        responses.score,
        responses.comment,
        responses.channel,
        responses.load_id,
        case survey_type
            when 'nps' then 10
            when 'ces' then 7
            else csat_scales.csat_scale_max
        end as scale_max,
        survey_type = 'nps' and score >= 9 as is_promoter,
        survey_type = 'nps' and score <= 6 as is_detractor,
        survey_type = 'csat' and score >= csat_scales.csat_scale_max - 1 as is_satisfied,
        next_orders.next_order_at
    from responses
    left join csat_scales using (load_id)
    left join next_orders
        on next_orders.account_id = responses.account_id
        and next_orders.responded_at = responses.responded_at
)

select * from final;
