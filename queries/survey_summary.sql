-- One row: NPS, CSAT and CES response counts for the filters (rates are computed in measures.py).
-- Params: $start_date, $end_date (inclusive dates on responded_at, null = open-ended),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = account owner).
-- NPS 0-10: promoters 9-10, detractors 0-6. CSAT: the top two boxes of its scale (see
-- summaries/satisfaction_responses.sql). CES: sum for the mean.
with

scoped as (
    -- Promoter, detractor and satisfied are decided once per response in the summary
    -- (CSAT's top two boxes of its own scale: 4-5 of 5, 9-10 of 10).
    select survey_type, score, is_promoter, is_detractor, is_satisfied
    from summary_satisfaction_responses
    where score is not null
        and in_period(responded_at, $start_date, $end_date)
        and account_in_scope(account_id, $segments, $regions, $owners, $teams)
),

final as (
    select
        count(*) filter (where survey_type = 'nps') as nps_responses,
        count(*) filter (where is_promoter) as nps_promoters,
        count(*) filter (where is_detractor) as nps_detractors,
        count(*) filter (where survey_type = 'csat') as csat_responses,
        count(*) filter (where is_satisfied) as csat_satisfied,
        count(*) filter (where survey_type = 'ces') as ces_responses,
        sum(score) filter (where survey_type = 'ces') as ces_score_sum
    from scoped
)

select * from final
