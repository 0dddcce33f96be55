-- One row per (month answered, survey type, account scope key): summary_satisfaction_rollup_days
-- added up by calendar month (dated answers only), so a period's whole months read one row per
-- key and month; satisfaction_by_period reads days only for the months a period cuts.
-- Params: none (materialised as summary_satisfaction_rollup_months after every load and undo;
-- built after summary_satisfaction_rollup_days, whose name sorts first). Keys as there.
with

final as (
    select
        cast(date_trunc('month', day) as date) as month_start,
        survey_type,
        account_copies,
        segment,
        region,
        owner,
        account_id,
        cast(sum(responses) as bigint) as responses,
        cast(sum(promoters) as bigint) as promoters,
        cast(sum(detractors) as bigint) as detractors,
        cast(sum(satisfied) as bigint) as satisfied,
        sum(score_sum) as score_sum,
        sum(score_squares) as score_squares
    from summary_satisfaction_rollup_days
    where day is not null
    group by all
)

select * from final order by month_start
