-- One row per customer (account id seen on an order or a won deal): what retention cohorts
-- start from. Params: none (materialised as summary_retention_customers after every load).
-- first_order_at: the earliest dated order whose amount is not negative (a return or a
--   cancellation, e.g. UCI "C" invoices, never starts a cohort); null amounts count as orders.
-- first_won_at: closed_at of the account's first won deal.
-- segment: the account's segment; 'No segment' when blank, 'Not in accounts' when the order
--   export names a customer id the accounts table does not have (the UCI sample does this).
-- orders_without_date: orders left out of every cohort because they have no date.
with

orders_known as (
    select account_id, ordered_at, amount
    from orders
    where account_id is not null
),

first_orders as (
    select
        account_id,
        min(ordered_at) filter (where amount is null or amount >= 0) as first_order_at,
        count(*) filter (where ordered_at is null) as orders_without_date
    from orders_known
    group by account_id
),

first_wins as (
    select account_id, min(closed_at) as first_won_at
    from deals
    where status = 'won' and account_id is not null and closed_at is not null
    group by account_id
),

account_segments as (
    -- Loads replace accounts by key; arg_max keeps the newest row should two remain.
    select account_id, arg_max(segment, load_id) as segment
    from accounts
    group by account_id
),

customers as (
    select
        coalesce(o.account_id, w.account_id) as account_id,
        o.first_order_at,
        w.first_won_at,
        coalesce(o.orders_without_date, 0) as orders_without_date
    from first_orders o
    full join first_wins w on o.account_id = w.account_id
),

final as (
    select
        c.account_id,
        c.first_order_at,
        c.first_won_at,
        c.orders_without_date,
        case
            when s.account_id is null then 'Not in accounts'
            when s.segment is null or trim(s.segment) = '' then 'No segment'
            else s.segment
        end as segment
    from customers c
    left join account_segments s on s.account_id = c.account_id
)

select * from final
