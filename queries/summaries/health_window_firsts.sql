-- One row per (what, day, previous day): how many accounts (or account and touch type pairs)
-- had an event that day whose previous event of the same account (and type) fell on
-- previous_day (null = none before). A distinct count over a run of days [a, b] is then a sum:
-- the accounts with an event in [a, b] are those with an event in it whose previous event is
-- before a (counted once, at their first event in it), so the health trend adds up a few
-- thousand rows per window instead of grouping millions by account (queries/health_totals_all.sql).
-- what: 'touched' = account touched (dated activities), 'quality' = the same for accounts
-- loaded once with a complete profile (data quality), 'channel' = account and touch type,
-- 'bought' = account with a customer event (summary_health_buyer_days).
-- Params: none (materialised as summary_health_window_firsts).
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
    select 'bought', account_key, null, event_day
    from summary_health_buyer_days
    where event_day is not null
),

chained as (
    select
        what,
        event_day,
        lag(event_day) over (partition by what, account_key, kind order by event_day)
            as previous_day
    from events
),

final as (
    select what, event_day, previous_day, count(*) as accounts
    from chained
    group by what, event_day, previous_day
)

select * from final order by what, event_day, previous_day
