-- One row: churn, gross and net revenue retention for the period, measured against the prior
-- period of equal length (rates are computed in dashboard/analytics/retention/data.py).
-- Params: $start_date, $end_date (inclusive dates; both are needed, else every value is null),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = account owner).
-- Customers at start = customers with at least one order (amount not negative) in the prior
-- period, the same number of days just before $start_date. Retained = those of them with at
-- least one order in [$start_date, $end_date]; churned = the others. Customers new in the
-- period never count. Revenue per customer and period is its net order amount, floored at 0.
--   churn rate = churned / customers at start
--   gross revenue retention = sum of min(revenue in period, revenue in prior period)
--                             / revenue in prior period   (no expansion; 0 to 100%)
--   net revenue retention = sum of revenue in period / revenue in prior period
--                           (expansion included; may exceed 100%)
-- both sums over the customers at start only. The sums of squares and products beside them
-- (x = prior revenue, k = kept, y = period revenue, per customer at start) give each ratio's
-- delta-method margin over customers (core/noise.py, ratio_margin). first_order_date is the
-- first purchase in scope: a prior period starting on or before it holds no complete
-- cohort (every customer in it was new to the data).
with

bounds as (
    select
        cast($start_date as timestamp) as period_from,
        cast($end_date as timestamp) + interval 1 day as period_to,
        cast($start_date as timestamp)
            - to_days(cast(date_diff('day', cast($start_date as date), cast($end_date as date))
                + 1 as integer)) as prior_from
),

scoped_orders as (
    select
        o.account_id,
        coalesce(o.amount, 0) as amount,
        o.amount is null or o.amount >= 0 as is_purchase,
        o.ordered_at >= b.period_from as is_in_period
    from orders o
    cross join bounds b
    where o.account_id is not null
        and o.ordered_at >= b.prior_from
        and o.ordered_at < b.period_to
        and account_in_scope(o.account_id, $segments, $regions, $owners, $teams)
),

per_customer as (
    select
        account_id,
        count(*) filter (where is_purchase and not is_in_period) as prior_orders,
        count(*) filter (where is_purchase and is_in_period) as period_orders,
        greatest(coalesce(sum(amount) filter (where not is_in_period), 0), 0) as prior_revenue,
        greatest(coalesce(sum(amount) filter (where is_in_period), 0), 0) as period_revenue
    from scoped_orders
    group by account_id
),

at_start as (
    select *, least(period_revenue, prior_revenue) as kept_revenue
    from per_customer
    where prior_orders > 0
),

final as (
    select
        b.prior_from is not null as has_period,
        cast(b.prior_from as date) as prior_start_date,
        cast(b.period_from as date) - 1 as prior_end_date,
        count(s.account_id) as customers_at_start,
        count(s.account_id) filter (where s.period_orders > 0) as customers_retained,
        coalesce(sum(s.prior_revenue), 0) as revenue_at_start,
        coalesce(sum(s.kept_revenue), 0) as revenue_kept,
        coalesce(sum(s.period_revenue), 0) as revenue_from_start_customers,
        coalesce(sum(s.prior_revenue * s.prior_revenue), 0) as sum_xx,
        coalesce(sum(s.kept_revenue * s.kept_revenue), 0) as sum_kk,
        coalesce(sum(s.kept_revenue * s.prior_revenue), 0) as sum_kx,
        coalesce(sum(s.period_revenue * s.period_revenue), 0) as sum_yy,
        coalesce(sum(s.period_revenue * s.prior_revenue), 0) as sum_yx,
        (
            select cast(min(o.ordered_at) as date)
            from orders o
            where o.account_id is not null and (o.amount is null or o.amount >= 0)
                and account_in_scope(o.account_id, $segments, $regions, $owners, $teams)
        ) as first_order_date
    from bounds b
    left join at_start s on true
    group by all
)

select * from final
