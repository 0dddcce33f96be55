-- One row: customers at the end of the period and new customers in it.
-- Params: $start_date, $end_date (inclusive dates, null = open-ended),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = account owner).
-- A customer is an account with at least one won deal or one order; it became one at the
-- earlier of its first won close and its first order (product.md): summary_customers.
with

scoped as (
    select account_id, became_customer_at
    from summary_customers
    where account_in_scope(account_id, $segments, $regions, $owners, $teams)
),

final as (
    select
        count(*) filter (where $end_date is null
            or became_customer_at < cast($end_date as timestamp) + interval 1 day)
            as customers_total,
        count(*) filter (where in_period(became_customer_at, $start_date, $end_date))
            as new_customers
    from scoped
)

select * from final
