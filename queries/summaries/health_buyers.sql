-- One row per account with a customer event (an order not negative, or a won deal): what the
-- health page's customer flags read. Params: none (materialised as summary_health_buyers).
-- first_at: the earliest dated event; second_product_at: when the account's second distinct
-- product was first bought (null = never two); a customer by time T has first_at < T, two or
-- more products by T has second_product_at < T.
with

events as (
    select account_id, ordered_at as event_at, product
    from orders
    where coalesce(amount, 0) >= 0
    union all
    select account_id, closed_at, product
    from deals
    where status = 'won'
),

keyed as (
    select k.account_key, e.event_at, e.product
    from events as e
    join summary_health_account_keys as k on k.account_id = e.account_id
),

product_firsts as (
    select account_key, product, min(event_at) as first_at
    from keyed
    where product is not null and event_at is not null
    group by account_key, product
),

second_products as (
    select account_key, first_at as second_product_at
    from (
        select
            account_key,
            first_at,
            row_number() over (partition by account_key order by first_at) as product_rank
        from product_firsts
    )
    where product_rank = 2
),

firsts as (
    select account_key, min(event_at) as first_at
    from keyed
    group by account_key
),

final as (
    select f.account_key, f.first_at, s.second_product_at
    from firsts as f
    left join second_products as s on s.account_key = f.account_key
)

select * from final
