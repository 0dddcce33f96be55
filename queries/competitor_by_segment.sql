-- One row per (competitor, account segment) with won and lost deals closed in the period.
-- Params: $start_date, $end_date (inclusive dates on closed_at, null = open-ended),
--         $segments, $regions, $owners (lists, null = all; owner = deal owner).
-- competitor null = the closed deals that name none. Segment "(not set)" = the account has no
-- segment or is not in the accounts table. A deal naming several competitors counts once for
-- each of them.
with

account_segments as (
    -- An account loaded twice keeps its latest segment, so a deal never counts twice.
    select account_id, arg_max(segment, load_id) as segment
    from accounts
    group by account_id
),

closed as (
    select d.deal_id, d.status, coalesce(nullif(trim(a.segment), ''), '(not set)') as segment
    from deals_in_scope($segments, $regions, $owners) d
    left join account_segments a using (account_id)
    where d.status in ('won', 'lost') and in_period(d.closed_at, $start_date, $end_date)
),

named as (
    select deal_id, competitor from summary_deal_competitors
),

final as (
    select
        named.competitor,
        closed.segment,
        count(*) filter (where closed.status = 'won') as count_won,
        count(*) filter (where closed.status = 'lost') as count_lost
    from closed
    left join named using (deal_id)
    group by named.competitor, closed.segment
)

select * from final
order by competitor is null, competitor, segment
