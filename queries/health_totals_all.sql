-- One row per window: the same totals as health_totals, for windows with both dates, read
-- from per-day summaries: sums over the window's days (summary_health_window_days), distinct
-- accounts from the steps between an account's events (summary_health_window_steps),
-- accounts touched by two or more departments in the 90 days by window end
-- (summary_health_window_spans), customers by their first and second-product times
-- (summary_health_buyers). A segment, region, owner or team filter (or a role's grant) reads
-- the same summaries kept per profile (summary_health_trend_*: accounts a scope cannot tell
-- apart, summary_health_profiles) for the profiles of the accounts in scope. Identical to
-- health_totals on those windows (tests/analytics/health/test_health_totals_all.py).
-- Params: $start_date, $end_date (both given with $window_ends null: one window, the period),
--         $window_ends, $window_days (one window per end date, the $window_days days up to it),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = account owner, deal
--         owner for deals, as health_accounts).
-- A touch counts in the 90 (365) days before a window's end when its day is one of the last
-- 90 (365) days of the window (the window ends at midnight after end_date).
with

windows as (
    select * from (
        select 0 as window_id, cast($start_date as date) as start_date,
            cast($end_date as date) as end_date
        where $window_ends is null
        union all
        select row_number() over (order by window_end) as window_id,
            cast(window_end as date) - cast($window_days as integer) + 1, cast(window_end as date)
        from (select unnest(cast($window_ends as date[])) as window_end)
    )
),

-- The accounts in scope: an account loaded twice counts once, by its copies in scope (as
-- health_accounts).
scoped_accounts as (
    select
        account_id,
        count(*) as copies,
        any_value(nullif(trim(segment), '')) as segment,
        bool_and(
            nullif(trim(segment), '') is not null and nullif(trim(industry), '') is not null
            and nullif(trim(region), '') is not null and nullif(trim(owner), '') is not null
        ) as is_complete
    from accounts_in_scope($segments, $regions, $owners, $teams)
    group by account_id
),

scoped_keys as (
    select k.account_key, p.profile, a.segment, a.is_complete, a.copies
    from scoped_accounts as a
    join summary_health_account_keys as k on k.account_id = a.account_id
    join summary_health_profiles as p on p.account_key = k.account_key
),

-- With a filter, the profiles in scope (every account of a profile is in scope or none is)
-- and whether its accounts count for data quality: loaded once, in scope, and complete.
-- With none, no row: everyone's data reads the summaries added up over profiles.
scoped_profiles as (
    select profile, bool_and(copies = 1 and is_complete) as is_quality
    from scoped_keys
    where not account_filter_off($segments, $regions, $owners, $teams)
    group by profile
),

account_counts as (
    select
        count(*) as accounts,
        count(*) filter (where is_complete) as is_complete,
        count(*) filter (where segment is not null) as has_segment
    from scoped_keys
),

-- The steps that can cover a window end of the call (lengths below): a step covers the
-- ends from its day to the day before the next, at most the longest length (365 days at
-- least: data quality) after it; one that ends before the first window end adds +1 and -1 to
-- every window, one that starts after the last adds nothing: left out, the counts are the same.
bounds as (
    select
        min(end_date) as first_end,
        max(end_date) as last_end,
        cast(greatest(max(date_diff('day', start_date, end_date) + 1), 365) as integer) as longest
    from windows
),

steps as (
    select s.what, s.event_day, s.next_day, s.accounts
    from summary_health_window_steps as s, bounds as b
    where account_filter_off($segments, $regions, $owners, $teams)
        and s.event_day <= b.last_end and s.event_day > b.first_end - b.longest
        and (s.next_day is null or s.next_day > b.first_end)
    union all
    select
        s.what, s.event_day, s.next_day, sum(s.accounts) as accounts
    from summary_health_trend_steps as s
    join scoped_profiles as p on p.profile = s.profile
    cross join bounds as b
    where s.event_day <= b.last_end and s.event_day > b.first_end - b.longest
        and (s.next_day is null or s.next_day > b.first_end)
    group by s.what, s.event_day, s.next_day
    union all
    select 'quality', s.event_day, s.next_day, sum(s.accounts)
    from summary_health_trend_steps as s
    join scoped_profiles as p on p.profile = s.profile
    cross join bounds as b
    where s.what = 'touched' and p.is_quality
        and s.event_day <= b.last_end and s.event_day > b.first_end - b.longest
        and (s.next_day is null or s.next_day > b.first_end)
    group by s.event_day, s.next_day
),

spans as (
    select from_day, to_day, accounts
    from summary_health_window_spans
    where account_filter_off($segments, $regions, $owners, $teams)
    union all
    select s.from_day, s.to_day, s.accounts
    from summary_health_trend_spans as s
    join scoped_profiles as p on p.profile = s.profile
),

-- Deals count by their own owner (the owner and team filters), touches by the account's.
day_rows as (
    select
        day, touches, touches_personalized, touches_personalized_known, deals_won, deals_lost,
        partner_won, partner_lost, competitive_won, competitive_lost, deals_created,
        deals_created_won, deals_created_partner
    from summary_health_window_days
    where account_filter_off($segments, $regions, $owners, $teams)
    union all
    select
        d.day, d.touches, d.touches_personalized, d.touches_personalized_known, d.deals_won,
        d.deals_lost, d.partner_won, d.partner_lost, d.competitive_won, d.competitive_lost,
        d.deals_created, d.deals_created_won, d.deals_created_partner
    from summary_health_trend_days as d
    join scoped_profiles as p on p.profile = d.profile
    where not d.is_deal
        or (($owners is null or list_contains(cast($owners as varchar[]), d.owner))
            and owner_in_teams(d.owner, $teams))
),

-- Every window of a call has the same length (its days); each step of
-- summary_health_window_steps covers the window ends from its day to the day before the
-- account's next event, at most `days` later: counted by +1 where it starts and -1 after it
-- ends, so one pass over the steps serves every window end.
lengths as (
    select distinct cast(date_diff('day', start_date, end_date) + 1 as integer) as days
    from windows
),

covers as (
    select
        n.days,
        case s.what when 'touched' then 'is_active' when 'channel' then 'channels'
            when 'surveyed' then 'is_surveyed' end as measure,
        s.event_day as from_day,
        least(coalesce(s.next_day, s.event_day + n.days), s.event_day + n.days) - 1 as to_day,
        s.accounts
    from steps as s, lengths as n
    where s.what in ('touched', 'channel', 'surveyed')
    union all
    select n.days, 'is_touched_90d', s.event_day,
        least(coalesce(s.next_day, s.event_day + 90), s.event_day + 90) - 1, s.accounts
    from steps as s, lengths as n
    where s.what = 'touched'
    union all
    select n.days, 'is_quality', s.event_day,
        least(coalesce(s.next_day, s.event_day + 365), s.event_day + 365) - 1, s.accounts
    from steps as s, lengths as n
    where s.what = 'quality'
    -- Logo retention: the accounts that bought in the window, less those that bought first
    -- in it (not customers before it).
    union all
    select n.days, 'is_retained', s.event_day,
        least(coalesce(s.next_day, s.event_day + n.days), s.event_day + n.days) - 1,
        case s.what when 'bought' then s.accounts else -s.accounts end
    from steps as s, lengths as n
    where s.what in ('bought', 'first_bought')
),

changes as (
    select days, measure, day, sum(change) as change
    from (
        select days, measure, from_day as day, accounts as change
        from covers
        where from_day <= to_day
        union all
        select days, measure, to_day + 1, -accounts
        from covers
        where from_day <= to_day
    )
    group by days, measure, day
),

distinct_counts as (
    select
        w.window_id,
        sum(c.change) filter (where c.measure = 'is_active') as is_active,
        sum(c.change) filter (where c.measure = 'is_touched_90d') as is_touched_90d,
        sum(c.change) filter (where c.measure = 'is_quality') as is_quality,
        sum(c.change) filter (where c.measure = 'channels') as channels,
        sum(c.change) filter (where c.measure = 'is_surveyed') as is_surveyed,
        sum(c.change) filter (where c.measure = 'is_retained') as is_retained
    from changes as c
    join windows as w
        on c.days = date_diff('day', w.start_date, w.end_date) + 1
        and c.day <= w.end_date
    group by w.window_id
),

multi_departments as (
    select w.window_id, sum(s.accounts) as is_multi_department_90d
    from spans as s
    join windows as w on w.end_date between s.from_day and s.to_day
    group by w.window_id
),

days as (
    select
        w.window_id,
        sum(d.touches) as touches,
        sum(d.touches_personalized) as touches_personalized,
        sum(d.touches_personalized_known) as touches_personalized_known,
        sum(d.deals_won) as deals_won,
        sum(d.deals_lost) as deals_lost,
        sum(d.partner_won) as partner_won,
        sum(d.partner_lost) as partner_lost,
        sum(d.competitive_won) as competitive_won,
        sum(d.competitive_lost) as competitive_lost,
        sum(d.deals_created) as deals_created,
        sum(d.deals_created_won) as deals_created_won,
        sum(d.deals_created_partner) as deals_created_partner
    from day_rows as d
    join windows as w on d.day between w.start_date and w.end_date
    group by w.window_id
),

-- Customers in scope: with no filter every buyer (each has a key, as scoped_keys), without
-- joining the 100,000 keys of everyone's accounts (as account_in_scope).
customers as (
    select
        w.window_id,
        count(*) filter (where b.first_at < cast(w.start_date as timestamp))
            as is_customer_before,
        count(*) filter (where b.first_at < cast(w.end_date as timestamp) + interval 1 day)
            as is_customer,
        count(*) filter (
            where b.second_product_at < cast(w.end_date as timestamp) + interval 1 day
        ) as is_multi_product
    from summary_health_buyers as b
    cross join windows as w
    where account_filter_off($segments, $regions, $owners, $teams)
        or b.account_key in (
            select account_key from scoped_keys
            where not account_filter_off($segments, $regions, $owners, $teams)
        )
    group by w.window_id
),

-- Scored answers of accounts in scope, by the day they were given.
answer_days as (
    select
        cast(responded_at as date) as day,
        count(*) filter (where survey_type = 'nps') as nps_responses,
        count(*) filter (where is_promoter) as nps_promoters,
        count(*) filter (where is_detractor) as nps_detractors,
        count(*) filter (where survey_type = 'csat') as csat_responses,
        count(*) filter (where is_satisfied) as csat_satisfied
    from summary_satisfaction_responses
    where score is not null and responded_at is not null and in_accounts
        and account_in_scope(account_id, $segments, $regions, $owners, $teams)
    group by day
),

answers as (
    select
        w.window_id,
        sum(a.nps_responses) as nps_responses,
        sum(a.nps_promoters) as nps_promoters,
        sum(a.nps_detractors) as nps_detractors,
        sum(a.csat_responses) as csat_responses,
        sum(a.csat_satisfied) as csat_satisfied
    from answer_days as a
    join windows as w on a.day between w.start_date and w.end_date
    group by w.window_id
),

final as (
    select
        w.end_date as window_end,
        n.accounts,
        n.is_complete,
        n.has_segment,
        cast(coalesce(f.is_quality, 0) as bigint) as is_quality,
        cast(coalesce(d.touches, 0) as bigint) as touches,
        cast(coalesce(d.touches_personalized, 0) as bigint) as touches_personalized,
        cast(coalesce(d.touches_personalized_known, 0) as bigint) as touches_personalized_known,
        cast(coalesce(f.channels, 0) as bigint) as channels,
        cast(coalesce(f.is_active, 0) as bigint) as is_active,
        cast(coalesce(f.is_touched_90d, 0) as bigint) as is_touched_90d,
        cast(coalesce(m.is_multi_department_90d, 0) as bigint) as is_multi_department_90d,
        cast(coalesce(c.is_customer_before, 0) as bigint) as is_customer_before,
        cast(coalesce(f.is_retained, 0) as bigint) as is_retained,
        cast(coalesce(c.is_customer, 0) as bigint) as is_customer,
        cast(coalesce(c.is_multi_product, 0) as bigint) as is_multi_product,
        cast(coalesce(f.is_surveyed, 0) as bigint) as is_surveyed,
        cast(coalesce(s.nps_responses, 0) as bigint) as nps_responses,
        cast(coalesce(s.nps_promoters, 0) as bigint) as nps_promoters,
        cast(coalesce(s.nps_detractors, 0) as bigint) as nps_detractors,
        cast(coalesce(s.csat_responses, 0) as bigint) as csat_responses,
        cast(coalesce(s.csat_satisfied, 0) as bigint) as csat_satisfied,
        cast(coalesce(d.deals_won, 0) as bigint) as deals_won,
        cast(coalesce(d.deals_lost, 0) as bigint) as deals_lost,
        cast(coalesce(d.partner_won, 0) as bigint) as partner_won,
        cast(coalesce(d.partner_lost, 0) as bigint) as partner_lost,
        cast(coalesce(d.competitive_won, 0) as bigint) as competitive_won,
        cast(coalesce(d.competitive_lost, 0) as bigint) as competitive_lost,
        cast(coalesce(d.deals_created, 0) as bigint) as deals_created,
        cast(coalesce(d.deals_created_won, 0) as bigint) as deals_created_won,
        cast(coalesce(d.deals_created_partner, 0) as bigint) as deals_created_partner
    from windows as w
    cross join account_counts as n
    left join distinct_counts as f on f.window_id = w.window_id
    left join multi_departments as m on m.window_id = w.window_id
    left join days as d on d.window_id = w.window_id
    left join customers as c on c.window_id = w.window_id
    left join answers as s on s.window_id = w.window_id
    where n.accounts > 0
)

select * from final order by window_end
