-- One row per window: the same totals as health_totals, for everyone's data (no segment,
-- region, owner or team filter) and windows with both dates, read from per-day summaries:
-- sums over the window's days (summary_health_window_days), distinct accounts as first
-- events in the window (summary_health_window_firsts), accounts touched by two or more
-- departments in the 90 days by window end (summary_health_window_spans), customers by
-- their first and second-product times (summary_health_buyers). Identical to health_totals
-- on those windows (tests/analytics/health/test_health_totals_all.py).
-- Params: $start_date, $end_date (both given with $window_ends null: one window, the period),
--         $window_ends, $window_days (one window per end date, the $window_days days up to it).
-- A touch counts in the 90 (365) days before a window's end when its day is one of the last
-- 90 (365) days of the window (the window ends at midnight after end_date).
with

windows as (
    select 0 as window_id, cast($start_date as date) as start_date,
        cast($end_date as date) as end_date
    where $window_ends is null
    union all
    select row_number() over (order by window_end) as window_id,
        cast(window_end as date) - cast($window_days as integer) + 1, cast(window_end as date)
    from (select unnest(cast($window_ends as date[])) as window_end)
),

-- An account loaded twice counts once (as health_accounts).
accounts_once as (
    select
        a.account_id,
        any_value(nullif(trim(a.segment), '')) as segment,
        bool_and(
            nullif(trim(a.segment), '') is not null and nullif(trim(a.industry), '') is not null
            and nullif(trim(a.region), '') is not null and nullif(trim(a.owner), '') is not null
        ) as is_complete
    from accounts as a
    join summary_health_account_keys as k on k.account_id = a.account_id
    group by a.account_id
),

account_counts as (
    select
        count(*) as accounts,
        count(*) filter (where is_complete) as is_complete,
        count(*) filter (where segment is not null) as has_segment
    from accounts_once
),

firsts as (
    select
        w.window_id,
        sum(f.accounts) filter (
            where f.what = 'touched' and f.event_day >= w.start_date
                and (f.previous_day is null or f.previous_day < w.start_date)
        ) as is_active,
        sum(f.accounts) filter (
            where f.what = 'touched' and f.event_day >= w.end_date - 89
                and (f.previous_day is null or f.previous_day < w.end_date - 89)
        ) as is_touched_90d,
        sum(f.accounts) filter (
            where f.what = 'quality' and f.event_day >= w.end_date - 364
                and (f.previous_day is null or f.previous_day < w.end_date - 364)
        ) as is_quality,
        sum(f.accounts) filter (
            where f.what = 'channel' and f.event_day >= w.start_date
                and (f.previous_day is null or f.previous_day < w.start_date)
        ) as channels,
        sum(f.accounts) filter (
            where f.what = 'bought' and f.event_day >= w.start_date
                and f.previous_day < w.start_date
        ) as is_retained
    from summary_health_window_firsts as f
    join windows as w
        on f.event_day <= w.end_date
        and f.event_day >= least(w.start_date, w.end_date - 364)
        and (f.previous_day is null or f.previous_day < greatest(w.start_date, w.end_date - 89))
    group by w.window_id
),

multi_departments as (
    select w.window_id, sum(s.accounts) as is_multi_department_90d
    from summary_health_window_spans as s
    join windows as w on w.end_date between s.from_day and s.to_day
    group by w.window_id
),

days as (
    select
        w.window_id,
        sum(d.touches) as touches,
        sum(d.touches_personalized) as touches_personalized,
        sum(d.touches_personalized_known) as touches_personalized_known,
        sum(d.deals_won) as deals_won,
        sum(d.deals_lost) as deals_lost,
        sum(d.partner_won) as partner_won,
        sum(d.partner_lost) as partner_lost,
        sum(d.competitive_won) as competitive_won,
        sum(d.competitive_lost) as competitive_lost,
        sum(d.deals_created) as deals_created,
        sum(d.deals_created_won) as deals_created_won,
        sum(d.deals_created_partner) as deals_created_partner
    from summary_health_window_days as d
    join windows as w on d.day between w.start_date and w.end_date
    group by w.window_id
),

customers as (
    select
        w.window_id,
        count(*) filter (where b.first_at < cast(w.start_date as timestamp))
            as is_customer_before,
        count(*) filter (where b.first_at < cast(w.end_date as timestamp) + interval 1 day)
            as is_customer,
        count(*) filter (
            where b.second_product_at < cast(w.end_date as timestamp) + interval 1 day
        ) as is_multi_product
    from summary_health_buyers as b
    cross join windows as w
    group by w.window_id
),

-- Scored answers of accounts in accounts, placed by the day they were given.
answer_days as (
    select
        cast(responded_at as date) as day,
        account_id,
        count(*) filter (where survey_type = 'nps') as nps_responses,
        count(*) filter (where is_promoter) as nps_promoters,
        count(*) filter (where is_detractor) as nps_detractors,
        count(*) filter (where survey_type = 'csat') as csat_responses,
        count(*) filter (where is_satisfied) as csat_satisfied
    from summary_satisfaction_responses
    where score is not null and responded_at is not null
        and account_id in (select account_id from accounts_once)
    group by day, account_id
),

answers as (
    select
        w.window_id,
        count(distinct a.account_id) as is_surveyed,
        sum(a.nps_responses) as nps_responses,
        sum(a.nps_promoters) as nps_promoters,
        sum(a.nps_detractors) as nps_detractors,
        sum(a.csat_responses) as csat_responses,
        sum(a.csat_satisfied) as csat_satisfied
    from answer_days as a
    join windows as w on a.day between w.start_date and w.end_date
    group by w.window_id
),

final as (
    select
        w.end_date as window_end,
        n.accounts,
        n.is_complete,
        n.has_segment,
        coalesce(f.is_quality, 0) as is_quality,
        coalesce(d.touches, 0) as touches,
        coalesce(d.touches_personalized, 0) as touches_personalized,
        coalesce(d.touches_personalized_known, 0) as touches_personalized_known,
        coalesce(f.channels, 0) as channels,
        coalesce(f.is_active, 0) as is_active,
        coalesce(f.is_touched_90d, 0) as is_touched_90d,
        coalesce(m.is_multi_department_90d, 0) as is_multi_department_90d,
        coalesce(c.is_customer_before, 0) as is_customer_before,
        coalesce(f.is_retained, 0) as is_retained,
        coalesce(c.is_customer, 0) as is_customer,
        coalesce(c.is_multi_product, 0) as is_multi_product,
        coalesce(s.is_surveyed, 0) as is_surveyed,
        coalesce(s.nps_responses, 0) as nps_responses,
        coalesce(s.nps_promoters, 0) as nps_promoters,
        coalesce(s.nps_detractors, 0) as nps_detractors,
        coalesce(s.csat_responses, 0) as csat_responses,
        coalesce(s.csat_satisfied, 0) as csat_satisfied,
        coalesce(d.deals_won, 0) as deals_won,
        coalesce(d.deals_lost, 0) as deals_lost,
        coalesce(d.partner_won, 0) as partner_won,
        coalesce(d.partner_lost, 0) as partner_lost,
        coalesce(d.competitive_won, 0) as competitive_won,
        coalesce(d.competitive_lost, 0) as competitive_lost,
        coalesce(d.deals_created, 0) as deals_created,
        coalesce(d.deals_created_won, 0) as deals_created_won,
        coalesce(d.deals_created_partner, 0) as deals_created_partner
    from windows as w
    cross join account_counts as n
    left join firsts as f on f.window_id = w.window_id
    left join multi_departments as m on m.window_id = w.window_id
    left join days as d on d.window_id = w.window_id
    left join customers as c on c.window_id = w.window_id
    left join answers as s on s.window_id = w.window_id
    where n.accounts > 0
)

select * from final order by window_end
