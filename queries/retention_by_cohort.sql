-- One row per (cohort, segment, offset) from the cohort's own period to the data's last one:
-- cohort size, customers who ordered in period cohort+offset, customers who ordered in it or
-- any later period, and the cohort's revenue in it. Rates are computed in dashboard/analytics/retention/data.py.
-- Params: $grain ('week' | 'month' | 'quarter'; weeks start on Monday),
--         $basis ('first_order' | 'first_won_deal': what puts a customer in a cohort),
--         $as_of (date: the data's last day; a period ending after it is in progress),
--         $start_date, $end_date (inclusive dates, null = open-ended): a customer joins the
--             cohorts when its first order (or first won deal) falls in them; orders after
--             $end_date still count, up to $as_of, so the triangle shows how they stayed;
--         $segments, $regions, $owners, $teams (lists, null = all; owner = account owner). With one of
--             these set, customers missing from accounts drop out, as they have no segment.
-- Definitions (product.md): a customer's cohort is the period of its first order (or, with
-- $basis = 'first_won_deal', of its first won deal's closed_at). A customer is retained at
-- offset k when it placed an order (amount not negative) in period cohort+k. is_complete says
-- the period ended on or before $as_of: only complete periods count in averages.
with

customers as (
    select * from summary_retention_customers
),

activity as (
    select account_id, period_start, orders, revenue
    from summary_retention_activity
    where grain = $grain
),

data_end as (
    select
        case when $grain in ('week', 'month', 'quarter') then $grain
            else error('grain must be week, month or quarter') end as grain,
        cast($as_of as date) as as_of,
        cast(date_trunc($grain, cast($as_of as date)) as date) as last_period_start
),

joined as (
    select
        account_id,
        segment,
        case $basis
            when 'first_order' then first_order_at
            when 'first_won_deal' then first_won_at
            else error('basis must be first_order or first_won_deal')
        end as joined_at
    from customers
    where account_in_scope(account_id, $segments, $regions, $owners, $teams)
),

members as (
    select account_id, segment, cast(date_trunc($grain, joined_at) as date) as cohort_start
    from joined, data_end
    where joined_at is not null
        and joined_at < cast(as_of as timestamp) + interval 1 day
        and in_period(joined_at, $start_date, $end_date)
),

member_activity as (
    select
        m.account_id,
        m.cohort_start,
        m.segment,
        date_diff($grain, m.cohort_start, a.period_start) as period_offset,
        a.orders,
        a.revenue
    from members m
    join activity a on a.account_id = m.account_id
    cross join data_end d
    where a.period_start >= m.cohort_start and a.period_start <= d.last_period_start
),

active_by_offset as (
    select
        cohort_start,
        segment,
        period_offset,
        count(*) filter (where orders > 0) as active_customers,
        sum(revenue) as revenue
    from member_activity
    group by cohort_start, segment, period_offset
),

last_active as (
    -- The last offset a customer ordered in: it "returned in k or later" for every k up to it.
    select cohort_start, segment, max(period_offset) as last_offset
    from member_activity
    where orders > 0
    group by account_id, cohort_start, segment
),

last_active_counts as (
    select cohort_start, segment, last_offset as period_offset, count(*) as customers
    from last_active
    group by all
),

cohort_sizes as (
    select cohort_start, segment, count(*) as cohort_customers
    from members
    group by cohort_start, segment
),

grid as (
    select s.cohort_start, s.segment, s.cohort_customers, k.period_offset
    from cohort_sizes s
    cross join data_end d
    cross join unnest(range(0, date_diff($grain, s.cohort_start, d.last_period_start) + 1))
        as k(period_offset)
),

periods as (
    select
        g.*,
        cast(g.cohort_start + case $grain
            when 'week' then to_days(cast(7 * g.period_offset as integer))
            when 'month' then to_months(cast(g.period_offset as integer))
            else to_months(cast(3 * g.period_offset as integer))
        end as date) as period_start,
        cast(g.cohort_start + case $grain
            when 'week' then to_days(cast(7 * (g.period_offset + 1) as integer))
            when 'month' then to_months(cast(g.period_offset + 1 as integer))
            else to_months(cast(3 * (g.period_offset + 1) as integer))
        end as date) as next_period_start
    from grid g
),

final as (
    select
        p.cohort_start,
        p.segment,
        p.period_offset,
        p.period_start,
        p.next_period_start - 1 as period_end,
        p.next_period_start - 1 <= d.as_of as is_complete,
        p.cohort_customers,
        coalesce(a.active_customers, 0) as active_customers,
        cast(sum(coalesce(l.customers, 0)) over (
            partition by p.cohort_start, p.segment
            order by p.period_offset desc
            rows between unbounded preceding and current row
        ) as bigint) as active_or_later_customers,
        coalesce(a.revenue, 0) as revenue
    from periods p
    cross join data_end d
    left join active_by_offset a using (cohort_start, segment, period_offset)
    left join last_active_counts l using (cohort_start, segment, period_offset)
)

select * from final order by cohort_start, segment, period_offset
