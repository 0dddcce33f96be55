-- One row: NPS, CSAT and CES response counts for the filters (rates are computed in measures.py).
-- Params: $start_date, $end_date (inclusive dates on responded_at, null = open-ended),
--         $segments, $regions, $owners (lists, null = all; owner = account owner).
-- NPS 0-10: promoters 9-10, detractors 0-6. CSAT 1-5: satisfied = 4 or 5. CES: sum for the mean.
with

scoped as (
    select survey_type, score
    from surveys
    where score is not null
        and in_period(responded_at, $start_date, $end_date)
        and (account_filter_off($segments, $regions, $owners)
            or account_id in (
                select account_id from accounts_in_scope($segments, $regions, $owners)))
),

final as (
    select
        count(*) filter (where survey_type = 'nps') as nps_responses,
        count(*) filter (where survey_type = 'nps' and score >= 9) as nps_promoters,
        count(*) filter (where survey_type = 'nps' and score <= 6) as nps_detractors,
        count(*) filter (where survey_type = 'csat') as csat_responses,
        count(*) filter (where survey_type = 'csat' and score >= 4) as csat_satisfied,
        count(*) filter (where survey_type = 'ces') as ces_responses,
        sum(score) filter (where survey_type = 'ces') as ces_score_sum
    from scoped
)

select * from final
