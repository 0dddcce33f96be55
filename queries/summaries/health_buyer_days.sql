-- One row per (account, day) with a customer event (an order not negative, or a won deal;
-- day null = undated): whether an account bought in a window. Params: none (materialised
-- as summary_health_buyer_days). Sorted by day, so a window reads only its row groups.
with

events as (
    select account_id, ordered_at as event_at
    from orders
    where coalesce(amount, 0) >= 0
    union all
    select account_id, closed_at
    from deals
    where status = 'won'
),

final as (
    select distinct k.account_key, cast(e.event_at as date) as event_day
    from events as e
    join summary_health_account_keys as k on k.account_id = e.account_id
)

select * from final order by event_day, account_key
