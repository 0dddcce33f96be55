-- One row per account in scope: the additive counts every Four-C health metric is built from.
-- Params: $start_date, $end_date (inclusive dates, null = open-ended),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = account owner for accounts,
--         orders, touches and surveys, deal owner for deals),
--         $window_ends, $window_days (null = one window, the period; else one window per end
--         date, the $window_days days up to and including it: the trend, in one scan).
-- Placement: touches by occurred_at, survey answers by responded_at, closed deals by closed_at,
-- created deals by created_at, all in the period. "Recent" windows (touched, departments) are
-- the 90 days before the end of the period (or before the latest touch with no end date).
-- Customers (product.md): an account with a won deal or an order. Before the period = the first
-- of them falls before $start_date (with no start date: before the last 365 days of data).
-- Rows without an account (deals, orders, touches) cannot be placed and are left out.
-- Touches, customer events and deals are read from the per-load summaries health_* (keyed by
-- an integer account key, one row per account and day; touches also per account and month): the same counts as the canonical
-- tables give (tests/analytics/health/test_health_summaries.py compares both on every window shape).
with

accounts_raw as (
    select * from accounts_in_scope($segments, $regions, $owners, $teams)
),

windows as (
    select 0 as window_id, cast($start_date as date) as start_date,
        cast($end_date as date) as end_date
    where $window_ends is null
    union all
    select row_number() over (order by window_end) as window_id,
        cast(window_end as date) - cast($window_days as integer) + 1, cast(window_end as date)
    from (select unnest(cast($window_ends as date[])) as window_end)
),

as_of as (
    select
        window_id,
        start_date,
        end_date,
        coalesce(
            cast(end_date as timestamp) + interval 1 day,
            (select max(occurred_at) from activities) + interval 1 second,
            current_timestamp::timestamp
        ) as as_of_at
    from windows
),

-- The last day with data (deals, orders, surveys: as queries/data_date_range.sql and the
-- sidebar), where a period with no end ends for logo retention.
last_data_day as (
    select cast(max(seen_at) as date) as last_date
    from (
        select max(created_at) as seen_at from deals
        union all select max(closed_at) from deals
        union all select max(ordered_at) from orders
        union all select max(responded_at) from surveys
    )
),

-- Logo retention's "before": the period's start, or with none the 365 days up to the
-- period's end (the last day with data without one), so all time has a retention too:
-- customers from before the last year of data who bought again in it.
retention_windows as (
    select
        window_id, start_date, end_date, as_of_at,
        coalesce(
            start_date,
            coalesce(end_date, (select last_date from last_data_day)) - 364
        ) as retained_from
    from as_of
),

-- The earliest touch a window can count (its period start, or the 365 days before as_of_at);
-- null = no lower bound (an open-ended period counts every touch before as_of_at).
touch_bounds as (
    select
        window_id,
        start_date,
        end_date,
        as_of_at,
        case when start_date is not null
            then least(cast(start_date as timestamp), as_of_at - interval 365 day)
        end as from_at
    from as_of
),

-- An account loaded twice counts once (and is flagged: not unique is a data-quality fault).
scoped_accounts as (
    select
        account_id,
        any_value(account_name) as account_name,
        any_value(nullif(trim(segment), '')) as segment,
        count(*) as copies,
        bool_and(
            nullif(trim(segment), '') is not null and nullif(trim(industry), '') is not null
            and nullif(trim(region), '') is not null and nullif(trim(owner), '') is not null
        ) as is_complete
    from accounts_raw
    group by account_id
),

scoped_keys as (
    select k.account_key, a.account_id
    from scoped_accounts as a
    join summary_health_account_keys as k on k.account_id = a.account_id
),

-- The days a window can count: [from_at, as_of_at), whole days (a day is in the 90 or 365
-- days when all of it is; the partial first day of those is read from activities below).
window_days as (
    select
        w.window_id,
        c.touch_day,
        in_period(c.touch_day, w.start_date, w.end_date) as is_in_period,
        c.touch_day >= w.as_of_at - interval 90 day and c.touch_day < w.as_of_at as is_90d,
        c.touch_day >= w.as_of_at - interval 365 day and c.touch_day < w.as_of_at as is_365d
    from summary_health_touch_days_seen as c
    join touch_bounds as w
        on c.touch_day < w.as_of_at
        and c.touch_day >= coalesce(cast(cast(w.from_at as date) as timestamp), '-infinity')
),

-- A month of the calendar is read whole (summary_health_touch_months) where the window
-- counts every touch day of it alike: all of them in its days, and in or out of the period,
-- the 90 days and the 365 days together. Only the months an edge cuts are read by day.
month_days as (
    select cast(date_trunc('month', touch_day) as date) as touch_month, count(*) as days
    from summary_health_touch_days_seen
    group by touch_month
),

whole_months as (
    select w.window_id, w.touch_month, any_value(w.is_in_period) as is_in_period,
        any_value(w.is_90d) as is_90d, any_value(w.is_365d) as is_365d
    from (
        select *, cast(date_trunc('month', touch_day) as date) as touch_month
        from window_days
    ) as w
    join month_days as m on m.touch_month = w.touch_month
    group by w.window_id, w.touch_month, m.days
    having count(*) = m.days
        and bool_and(w.is_in_period) = bool_or(w.is_in_period)
        and bool_and(w.is_90d) = bool_or(w.is_90d)
        and bool_and(w.is_365d) = bool_or(w.is_365d)
),

cut_days as (
    select w.*
    from window_days as w
    anti join whole_months as m
        on m.window_id = w.window_id
        and m.touch_month = cast(date_trunc('month', w.touch_day) as date)
),

-- Undated touches count only with no period at all (in_period). DuckDB runs a subquery
-- behind an OR even when the OR's left side holds: with no filter its `where` leaves it
-- empty, so the semi-join over every touch row has nothing to build (as account_in_scope).
touch_days as (
    select
        w.window_id, d.account_key, d.touches, d.touches_personalized,
        d.touches_personalized_known, d.type_mask, d.type_extra, d.department_mask,
        d.department_extra, w.is_in_period, w.is_90d, w.is_365d
    from summary_health_touch_months as d
    join whole_months as w on w.touch_month = d.touch_month
    where ($segments is null and $regions is null and $owners is null and $teams is null)
        or d.account_key in (
            select account_key from scoped_keys
            where not account_filter_off($segments, $regions, $owners, $teams)
        )
    union all
    select
        w.window_id, d.account_key, d.touches, d.touches_personalized,
        d.touches_personalized_known, d.type_mask, d.type_extra, d.department_mask,
        d.department_extra, w.is_in_period, w.is_90d, w.is_365d
    from summary_health_touch_days as d
    join cut_days as w on w.touch_day = d.touch_day
    where ($segments is null and $regions is null and $owners is null and $teams is null)
        or d.account_key in (
            select account_key from scoped_keys
            where not account_filter_off($segments, $regions, $owners, $teams)
        )
    union all
    select
        w.window_id, d.account_key, d.touches, d.touches_personalized,
        d.touches_personalized_known, d.type_mask, d.type_extra, d.department_mask,
        d.department_extra, true, false, false
    from summary_health_touch_days as d
    join scoped_keys as k on k.account_key = d.account_key
    cross join touch_bounds as w
    where d.touch_day is null and w.start_date is null and w.end_date is null
),

-- With no end date the 90 and 365 days end at the latest touch, mid-day: the touches of the
-- first, partial day are read one by one (their departments and whether they fall inside).
edges as (
    select window_id, as_of_at, as_of_at - interval 90 day as edge_at
    from touch_bounds
    where as_of_at > cast(cast(as_of_at as date) as timestamp)
    union all
    select window_id, as_of_at, as_of_at - interval 365 day
    from touch_bounds
    where as_of_at > cast(cast(as_of_at as date) as timestamp)
),

edge_touches as (
    select
        w.window_id, k.account_key, 0 as touches, 0 as touches_personalized,
        0 as touches_personalized_known, cast(0 as bigint) as type_mask,
        cast(null as varchar) as type_extra, coalesce(de.kind_mask, 0) as department_mask,
        case when not de.is_in_mask then t.department end as department_extra,
        false as is_in_period,
        t.occurred_at >= w.as_of_at - interval 90 day as is_90d,
        true as is_365d
    from activities as t
    join edges as w
        on t.occurred_at >= w.edge_at
        and t.occurred_at < cast(cast(w.edge_at as date) as timestamp) + interval 1 day
    join scoped_keys as k on k.account_id = t.account_id
    left join summary_health_kinds as de
        on de.dimension = 'department' and de.kind = t.department
),

-- Kinds beyond the masks' 62 bits, by name (none in most data: this reads few rows).
touch_extras as (
    select
        window_id,
        account_key,
        count(distinct type_extra) filter (where is_in_period) as channels,
        count(distinct department_extra) filter (where is_90d) as departments_90d
    from (
        select
            w.window_id, d.account_key, d.type_extra, d.department_extra, w.is_in_period,
            w.is_90d
        from summary_health_touch_days as d
        join window_days as w on w.touch_day = d.touch_day
        where d.type_extra is not null or d.department_extra is not null
        union all
        select w.window_id, d.account_key, d.type_extra, d.department_extra, true, false
        from summary_health_touch_days as d, touch_bounds as w
        where (d.type_extra is not null or d.department_extra is not null)
            and d.touch_day is null and w.start_date is null and w.end_date is null
        union all
        select window_id, account_key, null, department_extra, false, is_90d
        from edge_touches
        where department_extra is not null
    )
    group by window_id, account_key
),

touch_sums as (
    select
        window_id,
        account_key,
        cast(sum(touches) filter (where is_in_period) as bigint) as touches,
        cast(sum(touches_personalized) filter (where is_in_period) as bigint)
            as touches_personalized,
        cast(sum(touches_personalized_known) filter (where is_in_period) as bigint)
            as touches_personalized_known,
        bit_or(type_mask) filter (where is_in_period) as type_mask,
        bool_or(is_90d) as is_touched_90d,
        bit_or(department_mask) filter (where is_90d) as department_mask,
        bool_or(is_365d) as is_touched_365d
    from (select * from touch_days union all select * from edge_touches)
    group by window_id, account_key
),

touches as (
    select
        s.window_id,
        s.account_key,
        s.touches,
        s.touches_personalized,
        s.touches_personalized_known,
        coalesce(bit_count(s.type_mask), 0) + coalesce(e.channels, 0) as channels,
        s.is_touched_90d,
        coalesce(bit_count(s.department_mask), 0) + coalesce(e.departments_90d, 0)
            as departments_90d,
        s.is_touched_365d
    from touch_sums as s
    left join touch_extras as e on e.window_id = s.window_id and e.account_key = s.account_key
),

customers as (
    select
        w.window_id,
        b.account_key,
        b.first_at < cast(w.retained_from as timestamp) as is_customer_before,
        b.first_at < w.as_of_at as is_customer,
        b.second_product_at < w.as_of_at as is_multi_product
    from summary_health_buyers as b
    join scoped_keys as k on k.account_key = b.account_key
    cross join retention_windows as w
),

-- Buyers again for logo retention: a dated event from retained_from to the period's end, by a
-- range join on the day (an undated event cannot be placed in the last year, so never counts).
active_buyers as (
    select w.window_id, b.account_key
    from summary_health_buyer_days as b
    join retention_windows as w
        on b.event_day >= w.retained_from
        and b.event_day <= coalesce(w.end_date, date '9999-12-31')
    join scoped_keys as k on k.account_key = b.account_key
    group by w.window_id, b.account_key
),

answers as (
    select
        window_id,
        account_id,
        count(*) as responses,
        count(*) filter (where survey_type = 'nps') as nps_responses,
        count(*) filter (where is_promoter) as nps_promoters,
        count(*) filter (where is_detractor) as nps_detractors,
        count(*) filter (where survey_type = 'csat') as csat_responses,
        count(*) filter (where is_satisfied) as csat_satisfied
    from summary_satisfaction_responses, windows
    where score is not null and in_period(responded_at, start_date, end_date)
        and account_id in (select account_id from scoped_accounts)
    group by window_id, account_id
),

-- The deals of accounts in scope, of the deal owners chosen: filtered once, before each is
-- placed in the windows.
scoped_deals as (
    select d.*
    from summary_health_deal_days as d
    join scoped_keys as k on k.account_key = d.account_key
    where ($owners is null or list_contains(cast($owners as varchar[]), d.owner))
      and owner_in_teams(d.owner, $teams)
),

deal_counts as (
    select
        d.window_id,
        d.account_key,
        cast(sum(deals) filter (where is_closed and status = 'won')
            as bigint) as deals_won,
        cast(sum(deals) filter (where is_closed and status = 'lost')
            as bigint) as deals_lost,
        cast(sum(deals) filter (where is_closed and status = 'won' and is_partner)
            as bigint) as partner_won,
        cast(sum(deals) filter (where is_closed and status = 'lost' and is_partner)
            as bigint) as partner_lost,
        cast(sum(deals) filter (where is_closed and status = 'won' and is_competitive)
            as bigint) as competitive_won,
        cast(sum(deals) filter (where is_closed and status = 'lost' and is_competitive)
            as bigint) as competitive_lost,
        cast(sum(deals) filter (where is_created)
            as bigint) as deals_created,
        cast(sum(deals) filter (where is_created and status = 'won')
            as bigint) as deals_created_won,
        cast(sum(deals) filter (where is_created and is_partner)
            as bigint) as deals_created_partner
    -- Closed and created deals each by a range join on their day (as active_buyers), so a
    -- window reads only its deals; a deal row then counts once as closed, once as created.
    from (
        select
            w.window_id, d.account_key, d.deals, d.status, true as is_closed,
            false as is_created, d.is_partner, d.is_competitive
        from scoped_deals as d
        join windows as w
            on d.closed_day >= coalesce(w.start_date, date '0001-01-01')
            and d.closed_day <= coalesce(w.end_date, date '9999-12-31')
        where d.status in ('won', 'lost')
        union all
        select
            w.window_id, d.account_key, d.deals, d.status, true, false,
            d.is_partner, d.is_competitive
        from scoped_deals as d, windows as w
        where d.status in ('won', 'lost') and d.closed_day is null
            and w.start_date is null and w.end_date is null
        union all
        select
            w.window_id, d.account_key, d.deals, d.status, false, true,
            d.is_partner, d.is_competitive
        from scoped_deals as d
        join windows as w
            on d.created_day >= coalesce(w.start_date, date '0001-01-01')
            and d.created_day <= coalesce(w.end_date, date '9999-12-31')
        union all
        select
            w.window_id, d.account_key, d.deals, d.status, false, true,
            d.is_partner, d.is_competitive
        from scoped_deals as d, windows as w
        where d.created_day is null and w.start_date is null and w.end_date is null
    ) as d
    group by d.window_id, d.account_key
),

final as (
    select
        w.end_date as window_end,
        a.account_id,
        a.account_name,
        a.segment,
        cast(a.is_complete as integer) as is_complete,
        cast(a.segment is not null as integer) as has_segment,
        cast(a.is_complete and a.copies = 1 and coalesce(t.is_touched_365d, false) as integer)
            as is_quality,
        coalesce(t.touches, 0) as touches,
        coalesce(t.touches_personalized, 0) as touches_personalized,
        coalesce(t.touches_personalized_known, 0) as touches_personalized_known,
        coalesce(t.channels, 0) as channels,
        cast(coalesce(t.touches, 0) > 0 as integer) as is_active,
        cast(coalesce(t.is_touched_90d, false) as integer) as is_touched_90d,
        cast(coalesce(t.departments_90d, 0) >= 2 as integer) as is_multi_department_90d,
        cast(coalesce(c.is_customer_before, false) as integer) as is_customer_before,
        cast(coalesce(c.is_customer_before and b.account_key is not null, false) as integer)
            as is_retained,
        cast(coalesce(c.is_customer, false) as integer) as is_customer,
        cast(coalesce(c.is_customer and c.is_multi_product, false) as integer)
            as is_multi_product,
        cast(coalesce(s.responses, 0) > 0 as integer) as is_surveyed,
        coalesce(s.nps_responses, 0) as nps_responses,
        coalesce(s.nps_promoters, 0) as nps_promoters,
        coalesce(s.nps_detractors, 0) as nps_detractors,
        coalesce(s.csat_responses, 0) as csat_responses,
        coalesce(s.csat_satisfied, 0) as csat_satisfied,
        coalesce(d.deals_won, 0) as deals_won,
        coalesce(d.deals_lost, 0) as deals_lost,
        coalesce(d.partner_won, 0) as partner_won,
        coalesce(d.partner_lost, 0) as partner_lost,
        coalesce(d.competitive_won, 0) as competitive_won,
        coalesce(d.competitive_lost, 0) as competitive_lost,
        coalesce(d.deals_created, 0) as deals_created,
        coalesce(d.deals_created_won, 0) as deals_created_won,
        coalesce(d.deals_created_partner, 0) as deals_created_partner
    from scoped_accounts as a
    join scoped_keys as k on k.account_id = a.account_id
    cross join windows as w
    left join touches as t on t.window_id = w.window_id and t.account_key = k.account_key
    left join customers as c on c.window_id = w.window_id and c.account_key = k.account_key
    left join active_buyers as b on b.window_id = w.window_id and b.account_key = k.account_key
    left join answers as s on s.window_id = w.window_id and s.account_id = a.account_id
    left join deal_counts as d on d.window_id = w.window_id and d.account_key = k.account_key
)

select * from final order by window_end, account_id
