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
-- Params: none (materialised as summary_health_window_steps).
with

complete_once as (
    select k.account_key
    from accounts as a
    join summary_health_account_keys as k on k.account_id = a.account_id
    group by k.account_key
    having count(*) = 1 and bool_and(
        nullif(trim(a.segment), '') is not null and nullif(trim(a.industry), '') is not null
        and nullif(trim(a.region), '') is not null and nullif(trim(a.owner), '') is not null
    )
),

touch_days as (
    select distinct account_key, touch_day as event_day
    from summary_health_touch_days
    where touch_day is not null
),

type_days as (
    select distinct k.account_key, t.type, cast(t.occurred_at as date) as event_day
    from activities as t
    join summary_health_account_keys as k on k.account_id = t.account_id
    where t.type is not null and t.occurred_at is not null
),

answer_days as (
    select distinct k.account_key, cast(s.responded_at as date) as event_day
    from surveys as s
    join summary_health_account_keys as k on k.account_id = s.account_id
    where s.score is not null and s.responded_at is not null
),

events as (
    select 'touched' as what, account_key, cast(null as varchar) as kind, event_day
    from touch_days
    union all
    select 'quality', d.account_key, null, d.event_day
    from touch_days as d
    join complete_once as c on c.account_key = d.account_key
    union all
    select 'channel', account_key, type, event_day
    from type_days
    union all
    select 'surveyed', account_key, null, event_day
    from answer_days
    union all
    select 'bought', account_key, null, event_day
    from summary_health_buyer_days
    where event_day is not null
),

stepped as (
    select
        what,
        event_day,
        lead(event_day) over (partition by what, account_key, kind order by event_day)
            as next_day
    from events
    union all
    select 'first_bought', min(event_day), null
    from summary_health_buyer_days
    where event_day is not null
    group by account_key
),

final as (
    select what, event_day, next_day, count(*) as accounts
    from stepped
    group by what, event_day, next_day
)

select * from final order by what, event_day, next_day
