-- One row: orders the retention cohorts cannot place, so the page can say what is left out.
-- Params: $segments, $regions, $owners, $teams (lists, null = all; owner = account owner).
-- orders_without_date: orders with a customer but no date (in no period, so in no cohort);
-- customers_without_dated_order: customers whose every order is undated (or a return);
-- orders_without_customer: orders with no account id at all (only counted with no account
-- filter set, as they belong to no segment, region or owner).
with

customers as (
    select *
    from summary_retention_customers
    where account_in_scope(account_id, $segments, $regions, $owners, $teams)
),

final as (
    select
        coalesce(sum(orders_without_date), 0) as orders_without_date,
        count(*) filter (where first_order_at is null and orders_without_date > 0)
            as customers_without_dated_order,
        case when account_filter_off($segments, $regions, $owners, $teams)
            then (select count(*) from orders where account_id is null) else 0 end
            as orders_without_customer
    from customers
)

select * from final
