-- One row per survey response, with its answer class: what the satisfaction page reads
-- (materialised as summary_satisfaction_responses after every load). Params: none.
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
-- in_accounts, account_segment, account_region, account_owner: whether the answer's account is
--   in the accounts table and, if so, its last loaded copy's segment, region and owner (what
--   satisfaction_breakdown groups by), so the breakdown joins no accounts on each click.
--   Rebuilt when accounts load, too.
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

accounts_once as (
    select account_id, segment, region, owner
    from accounts
    qualify row_number() over (partition by account_id order by load_id desc) = 1
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
        next_orders.next_order_at,
        accounts_once.account_id is not null as in_accounts,
        accounts_once.segment as account_segment,
        accounts_once.region as account_region,
        accounts_once.owner as account_owner
    from responses
    left join csat_scales using (load_id)
    left join next_orders
        on next_orders.account_id = responses.account_id
        and next_orders.responded_at = responses.responded_at
    left join accounts_once on accounts_once.account_id = responses.account_id
)

select * from final
