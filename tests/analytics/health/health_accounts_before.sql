-- The health_accounts query as it was before the health summaries (commit 732983f), kept as
-- the reference tests/analytics/health/test_health_summaries.py compares today's query with. Not run by the app.
-- Frozen: reads the canonical tables and the ref_ macros and tables of
-- tests/analytics/reference.py only (never a live macro or summary).
-- One row per account in scope: the additive counts every Four-C health metric is built from.
-- Params: $start_date, $end_date (inclusive dates, null = open-ended),
--         $segments, $regions, $owners (lists, null = all; owner = account owner for accounts,
--         orders, touches and surveys, deal owner for deals),
--         $window_ends, $window_days (null = one window, the period; else one window per end
--         date, the $window_days days up to and including it: the trend, in one scan).
-- Placement: touches by occurred_at, survey answers by responded_at, closed deals by closed_at,
-- created deals by created_at, all in the period. "Recent" windows (touched, departments) are
-- the 90 days before the end of the period (or before the latest touch with no end date).
-- Customers (product.md): an account with a won deal or an order. Before the period = the first
-- of them falls before $start_date (none with no start date, so logo retention has no data).
-- Rows without an account (deals, orders, touches) cannot be placed and are left out.
with

accounts_raw as (
    select * from ref_accounts_in_scope($segments, $regions, $owners)
),

scoped_deals as (
    select * from ref_deals_in_scope($segments, $regions, $owners) where account_id is not null
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

-- Per (window, account, type, department) first: the two distinct counts then run over these
-- few groups instead of over every touch.
touch_groups as (
    select
        window_id,
        account_id,
        type,
        department,
        count(*) filter (where ref_in_period(occurred_at, start_date, end_date)) as touches,
        count(*) filter (where ref_in_period(occurred_at, start_date, end_date)
            and is_personalized) as touches_personalized,
        count(*) filter (where ref_in_period(occurred_at, start_date, end_date)
            and is_personalized is not null) as touches_personalized_known,
        count(*) filter (where occurred_at >= as_of_at - interval 90 day
            and occurred_at < as_of_at) as touches_90d,
        count(*) filter (where occurred_at >= as_of_at - interval 365 day
            and occurred_at < as_of_at) as touches_365d
    from (
        -- Only the touches a window can count: a range join instead of every touch times
        -- every window. Undated touches count only with no period at all (ref_in_period).
        select w.*, t.account_id, t.occurred_at, t.is_personalized, t.type, t.department
        from activities as t
        join touch_bounds as w
            on t.occurred_at < w.as_of_at and t.occurred_at >= coalesce(w.from_at, '-infinity')
        union all
        select w.*, t.account_id, t.occurred_at, t.is_personalized, t.type, t.department
        from activities as t, touch_bounds as w
        where t.occurred_at is null and w.start_date is null and w.end_date is null
    )
    where account_id in (select account_id from scoped_accounts)
    group by window_id, account_id, type, department
),

touches as (
    select
        window_id,
        account_id,
        cast(sum(touches) as bigint) as touches,
        cast(sum(touches_personalized) as bigint) as touches_personalized,
        cast(sum(touches_personalized_known) as bigint) as touches_personalized_known,
        count(distinct type) filter (where touches > 0) as channels,
        cast(sum(touches_90d) as bigint) as touches_90d,
        count(distinct department) filter (where touches_90d > 0) as departments_90d,
        cast(sum(touches_365d) as bigint) as touches_365d
    from touch_groups
    group by window_id, account_id
),

customer_events as (
    select account_id, ordered_at as event_at, product
    from orders
    where account_id in (select account_id from scoped_accounts) and coalesce(amount, 0) >= 0
    union all
    select account_id, closed_at, product
    from deals
    where account_id in (select account_id from scoped_accounts) and status = 'won'
),

customers as (
    select
        window_id,
        account_id,
        -- Issue 19: with no start date, "before" is before the 365 days up to the end (or the
        -- last day with data).
        count(*) filter (where event_at < cast(retained_from as timestamp)) > 0
            as is_customer_before,
        count(*) filter (where ref_in_period(event_at, retained_from, end_date)) > 0
            as is_active_buyer,
        count(*) filter (where event_at < as_of_at) > 0 as is_customer,
        count(distinct product) filter (where event_at < as_of_at) as products
    from customer_events, (
        select *, coalesce(start_date, coalesce(end_date, (
            select cast(max(seen_at) as date) from (
                select max(created_at) as seen_at from deals
                union all select max(closed_at) from deals
                union all select max(ordered_at) from orders
                union all select max(responded_at) from surveys
            )
        )) - 364) as retained_from
        from as_of
    )
    group by window_id, account_id
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
    from ref_summary_satisfaction_responses, windows
    where score is not null and ref_in_period(responded_at, start_date, end_date)
        and account_id in (select account_id from scoped_accounts)
    group by window_id, account_id
),

deal_counts as (
    select
        window_id,
        account_id,
        count(*) filter (where is_closed and status = 'won') as deals_won,
        count(*) filter (where is_closed and status = 'lost') as deals_lost,
        count(*) filter (where is_closed and status = 'won' and is_partner) as partner_won,
        count(*) filter (where is_closed and status = 'lost' and is_partner) as partner_lost,
        count(*) filter (where is_closed and status = 'won' and is_competitive)
            as competitive_won,
        count(*) filter (where is_closed and status = 'lost' and is_competitive)
            as competitive_lost,
        count(*) filter (where is_created) as deals_created,
        count(*) filter (where is_created and status = 'won') as deals_created_won,
        count(*) filter (where is_created and is_partner) as deals_created_partner
    from (
        select
            window_id,
            account_id,
            status,
            status in ('won', 'lost') and ref_in_period(closed_at, start_date, end_date)
                as is_closed,
            ref_in_period(created_at, start_date, end_date) as is_created,
            coalesce(regexp_matches(lower(source), 'partner|referral'), false) as is_partner,
            coalesce(nullif(trim(competitor), '') is not null, false) as is_competitive
        from scoped_deals, windows
    )
    group by window_id, account_id
),

final as (
    select
        w.end_date as window_end,
        a.account_id,
        a.account_name,
        a.segment,
        cast(a.is_complete as integer) as is_complete,
        cast(a.segment is not null as integer) as has_segment,
        cast(a.is_complete and a.copies = 1 and coalesce(t.touches_365d, 0) > 0 as integer)
            as is_quality,
        coalesce(t.touches, 0) as touches,
        coalesce(t.touches_personalized, 0) as touches_personalized,
        coalesce(t.touches_personalized_known, 0) as touches_personalized_known,
        coalesce(t.channels, 0) as channels,
        cast(coalesce(t.touches, 0) > 0 as integer) as is_active,
        cast(coalesce(t.touches_90d, 0) > 0 as integer) as is_touched_90d,
        cast(coalesce(t.departments_90d, 0) >= 2 as integer) as is_multi_department_90d,
        cast(coalesce(c.is_customer_before, false) as integer) as is_customer_before,
        cast(coalesce(c.is_customer_before and c.is_active_buyer, false) as integer)
            as is_retained,
        cast(coalesce(c.is_customer, false) as integer) as is_customer,
        cast(coalesce(c.is_customer and c.products >= 2, false) as integer) as is_multi_product,
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
    cross join windows as w
    left join touches as t on t.window_id = w.window_id and t.account_id = a.account_id
    left join customers as c on c.window_id = w.window_id and c.account_id = a.account_id
    left join answers as s on s.window_id = w.window_id and s.account_id = a.account_id
    left join deal_counts as d on d.window_id = w.window_id and d.account_id = a.account_id
)

select * from final order by window_end, account_id
