-- One row per survey response, with its answer class: what the satisfaction page reads
-- (materialised as summary_satisfaction_responses after every load). Params: none.
-- NPS (0-10): promoter 9-10, detractor 0-6, passive 7-8.
-- CSAT: satisfied = the top two boxes of its scale. The scale is decided per upload (load):
--   a load whose CSAT scores go above 5 is on a 1-10 scale (satisfied = 9 or 10); any other
--   load is on 1-5 (satisfied = 4 or 5). The importer reads files without a type column the
--   same way (scores up to 5 = CSAT), so a 1-10 CSAT file needs a survey type column.
-- CES (1-7): the score itself, averaged by the page; lower means less effort.
-- Responses without a score are kept (their comment is still a verbatim) but never counted.
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

final as (
    select
        responses.*,
        case survey_type
            when 'nps' then 10
            when 'ces' then 7
            else csat_scales.csat_scale_max
        end as scale_max,
        survey_type = 'nps' and score >= 9 as is_promoter,
        survey_type = 'nps' and score <= 6 as is_detractor,
        survey_type = 'csat' and score >= csat_scales.csat_scale_max - 1 as is_satisfied
    from responses
    left join csat_scales using (load_id)
)

select * from final
