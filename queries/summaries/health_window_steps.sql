-- One row per (what, day, next day): how many accounts (or account and touch type pairs) had
-- an event on `event_day` whose next event of the same account (and type) falls on `next_day`
-- (null = none after). A distinct count over the L days up to a window end b is then a count
-- of steps: an account has an event in [b - L + 1, b] exactly when its latest event by b, the
-- step with event_day <= b < next_day, is within L days of b; each step covers the window
-- ends [event_day, least(next_day - 1, event_day + L - 1)], and the steps of one account
-- never overlap. So the health trend adds up a few thousand day counts per window instead of
-- grouping millions of rows by account (queries/health_totals_all.sql).
-- what: 'touched' = account touched (dated activities), 'quality' = the same for accounts
-- loaded once with a complete profile (data quality), 'channel' = account and touch type,
-- 'surveyed' = account with a scored, dated survey answer, 'bought' = account with a dated
-- customer event (summary_health_buyer_days), 'first_bought' = its first one (next_day null):
-- logo retention counts the accounts that bought in a window less those whose first purchase
-- is in it. Only accounts in accounts count.
-- Read from the same steps per profile (summary_health_trend_steps), added up over profiles;
-- 'quality' = the 'touched' steps of the profiles loaded once and complete.
-- Params: none (materialised as summary_health_window_steps).
with

final as (
    select what, event_day, next_day, cast(sum(accounts) as bigint) as accounts
    from (
        select what, event_day, next_day, accounts
        from summary_health_trend_steps
        union all
        select 'quality', s.event_day, s.next_day, s.accounts
        from summary_health_trend_steps as s
        join (
            select distinct profile from summary_health_profiles where is_complete_once
        ) as p on p.profile = s.profile
        where s.what = 'touched'
    )
    group by what, event_day, next_day
)

select * from final order by what, event_day, next_day
