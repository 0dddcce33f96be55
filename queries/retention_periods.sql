-- One row per period, two rows: the period's and the previous period's (is_previous) churn,
-- gross and net revenue retention, each measured against its prior period of equal length
-- (rates are computed in dashboard/analytics/retention/data.py).
-- Params: $start_date, $end_date (inclusive dates; both are needed, else every value is null),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = account owner).
-- L = the period's length in days. Three windows of L days end where the next begins:
-- W0 = [start - 2L, start - L), W1 = [start - L, start), W2 = [start, end + 1 day).
-- is_previous = false: customers at start ordered in W1, followed over W2 (the period);
-- is_previous = true: customers at start ordered in W0, followed over W1 (the previous period
-- of equal length, Filters.previous_period, against its own prior period).
-- Customers at start = customers with at least one order (amount not negative) in the prior
-- window. Retained = those of them with at least one order in the followed window; churned =
-- the others. Customers new in the followed window never count. Revenue per customer and
-- window is its net order amount, floored at 0.
--   churn rate = churned / customers at start
--   gross revenue retention = sum of min(revenue followed, revenue prior) / revenue prior
--                             (no expansion; 0 to 100%)
--   net revenue retention = sum of revenue followed / revenue prior (may exceed 100%)
-- both sums over the customers at start only. The sums of squares and products beside them
-- (x = prior revenue, k = kept, y = followed revenue, per customer at start) give each ratio's
-- delta-method margin over customers (core/noise.py, ratio_margin). first_order_date is the
-- first purchase in scope: a prior window starting on or before it holds no complete cohort.
-- Orders are read by month from summary_retention_activity; only a month that a window edge
-- cuts is read order by order from orders (the sidebar's presets start and end on month edges,
-- so at most the first window's start cuts one). Issue 18: the previous text
-- (tests/core/previous_queries/retention_period_summary.sql) scanned every order twice, once
-- per row, and tested the scope on each order; this one reads one month row per customer and
-- tests the scope once per customer.
with

bounds as (
    select
        w0_from,
        w1_from,
        w2_from,
        w2_to
    from (
        select
            cast($start_date as timestamp) - to_days(2 * l) as w0_from,
            cast($start_date as timestamp) - to_days(l) as w1_from,
            cast($start_date as timestamp) as w2_from,
            cast($end_date as timestamp) + interval 1 day as w2_to
        from (
            select cast(date_diff('day', cast($start_date as date), cast($end_date as date))
                + 1 as integer) as l
        )
    )
),

cut_months as (
    -- The months a window edge falls inside of: read order by order, never by month.
    select distinct month_from, month_from + interval 1 month as month_to
    from (
        select date_trunc('month', e.edge) as month_from, e.edge
        from bounds b, unnest([b.w0_from, b.w1_from, b.w2_from, b.w2_to]) as e(edge)
    )
    where edge > month_from
),

whole_months as (
    select cast(a.period_start as timestamp) as at, a.account_id, a.orders as purchases,
        a.revenue as amount
    from summary_retention_activity a
    cross join bounds b
    where a.grain = 'month'
        -- The range as parameters, not bounds' columns, so the scan skips what is outside.
        and a.period_start >= cast($start_date as timestamp)
            - to_days(2 * cast(date_diff('day', cast($start_date as date), cast($end_date as date))
                + 1 as integer))
        and a.period_start < cast($end_date as timestamp) + interval 1 day
        and cast(a.period_start as timestamp) not in (select month_from from cut_months)
),

cut_month_orders as (
    select
        o.ordered_at as at,
        o.account_id,
        case when o.amount is null or o.amount >= 0 then 1 else 0 end as purchases,
        coalesce(o.amount, 0) as amount
    from orders o
    join cut_months c on o.ordered_at >= c.month_from and o.ordered_at < c.month_to
    cross join bounds b
    where o.account_id is not null
        and o.ordered_at >= b.w0_from
        and o.ordered_at < b.w2_to
),

windowed as (
    select r.account_id, r.purchases, r.amount,
        case when r.at < b.w1_from then 0 when r.at < b.w2_from then 1 else 2 end as w
    from (select * from whole_months union all select * from cut_month_orders) r
    cross join bounds b
),

per_customer as (
    select
        account_id,
        sum(case when w = 0 then purchases else 0 end) as orders_0,
        sum(case when w = 1 then purchases else 0 end) as orders_1,
        sum(case when w = 2 then purchases else 0 end) as orders_2,
        greatest(coalesce(sum(case when w = 0 then amount end), 0), 0) as revenue_0,
        greatest(coalesce(sum(case when w = 1 then amount end), 0), 0) as revenue_1,
        greatest(coalesce(sum(case when w = 2 then amount end), 0), 0) as revenue_2
    from windowed
    group by account_id
),

scoped as (
    -- The scope per customer, after adding up: one test per account, not per row.
    select *
    from per_customer
    where account_in_scope(account_id, $segments, $regions, $owners, $teams)
),

followed as (
    select false as is_previous, account_id, orders_1 as prior_orders,
        orders_2 as period_orders, revenue_1 as prior_revenue, revenue_2 as period_revenue
    from scoped
    where orders_1 > 0
    union all
    select true, account_id, orders_0, orders_1, revenue_0, revenue_1
    from scoped
    where orders_0 > 0
),

at_start as (
    select *, least(period_revenue, prior_revenue) as kept_revenue
    from followed
),

windows as (
    select false as is_previous, w1_from as prior_from, w2_from as period_from from bounds
    union all
    select true, w0_from, w1_from from bounds
),

final as (
    select
        w.is_previous,
        w.prior_from is not null as has_period,
        cast(w.prior_from as date) as prior_start_date,
        cast(w.period_from as date) - 1 as prior_end_date,
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
            select cast(min(c.first_order_at) as date)
            from summary_retention_customers c
            where account_in_scope(c.account_id, $segments, $regions, $owners, $teams)
        ) as first_order_date
    from windows w
    left join at_start s on s.is_previous = w.is_previous
    group by all
)

select * from final order by is_previous
