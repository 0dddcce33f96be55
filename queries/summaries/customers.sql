-- One row per customer: an account id seen on a won deal or an order (product.md), and when it
-- became one: the earlier of its first won close and its first order (any amount).
-- Params: none (materialised as summary_customers after every load and undo), so the overview's
-- customer counts scan 100k accounts instead of every deal and order on each click.
-- became_customer_at: min() skips missing dates, so a customer with only undated wins and
-- orders has null here.
-- Incremental by account_id: deals, orders
-- Incremental, why: an account's row reads only its own won deals and orders.
with

won_deals as (
    select account_id, closed_at as became_at from deals where status = 'won'
),

orders_placed as (
    select account_id, ordered_at as became_at from orders
),

final as (
    select account_id, min(became_at) as became_customer_at
    from (select * from won_deals union all select * from orders_placed)
    where account_id is not null
    group by account_id
)

select * from final
