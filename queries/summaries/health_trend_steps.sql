-- One row per (what, profile, day, next day): how many accounts (or account and touch type
-- pairs) of a profile (summary_health_profiles) had an event on `event_day` whose next event
-- of the same account (and type) falls on `next_day` (null = none after): the steps of
-- summary_health_window_steps kept per profile, so a scope (segment, region, owner, team
-- filters, a role's grant) adds up the steps of its profiles only
-- (queries/health_totals_all.sql). what: as health_window_steps, without 'quality' (the
-- 'touched' steps of the profiles that count for data quality in the scope).
-- Params: none (materialised as summary_health_trend_steps).
-- Pieces by account_key: summary_health_account_keys, summary_health_touch_days, summary_health_buyer_days, summary_health_profiles
-- Pieces add up: accounts
-- Pieces, why: an account's events and next days come from its own rows (activities and
-- Pieces, why: surveys through its key); a row counts accounts, so pieces' counts add up.
with

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
        account_key,
        event_day,
        lead(event_day) over (partition by what, account_key, kind order by event_day)
            as next_day
    from events
    union all
    select 'first_bought', account_key, min(event_day), null
    from summary_health_buyer_days
    where event_day is not null
    group by account_key
),

final as (
    select s.what, p.profile, s.event_day, s.next_day, count(*) as accounts
    from stepped as s
    join summary_health_profiles as p on p.account_key = s.account_key
    group by s.what, p.profile, s.event_day, s.next_day
)

select * from final order by what, profile, event_day, next_day
