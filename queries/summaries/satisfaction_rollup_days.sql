-- One row per (day answered, survey type, account scope key) with the counts and sums that
-- satisfaction_by_period adds up, so the page's period totals and trend read thousands of rows
-- instead of every answer. Params: none (materialised as summary_satisfaction_rollup_days after
-- every load and undo; built after summary_satisfaction_responses, whose name sorts first).
-- Scored answers only (the queries count no unscored answer). day: the date of responded_at,
-- null for the undated answers (they count whatever the period). Sorted by day, so a query for
-- a few days reads a few row groups.
-- Scope key, for account_in_scope applied to the rows (one row per key, never per answer):
--   account_copies 0: no accounts row (or no account id): in scope only with no account filter;
--   account_copies 1: segment, region, owner of its one accounts row (account_id null);
--   account_copies > 1: an account loaded twice keeps its account_id, tested with the macro
--     (any copy in scope counts) and no segment, region or owner.
-- Counts are integers; score sums of whole scores are exact in a double.
with

copies as (
    select account_id, count(*) as account_copies, any_value(segment) as segment,
        any_value(region) as region, any_value(owner) as owner
    from accounts
    group by account_id
),

answers as (
    select
        cast(r.responded_at as date) as day,
        r.survey_type,
        coalesce(c.account_copies, 0) as account_copies,
        case when c.account_copies = 1 then c.segment end as segment,
        case when c.account_copies = 1 then c.region end as region,
        case when c.account_copies = 1 then c.owner end as owner,
        case when c.account_copies > 1 then r.account_id end as account_id,
        r.score,
        r.is_promoter,
        r.is_detractor,
        r.is_satisfied
    from summary_satisfaction_responses as r
    left join copies as c on c.account_id = r.account_id
    where r.score is not null
),

final as (
    select
        day,
        survey_type,
        account_copies,
        segment,
        region,
        owner,
        account_id,
        count(*) as responses,
        count(*) filter (where is_promoter) as promoters,
        count(*) filter (where is_detractor) as detractors,
        count(*) filter (where is_satisfied) as satisfied,
        sum(score) as score_sum,
        sum(score * score) as score_squares
    from answers
    group by all
)

select * from final order by day nulls first
