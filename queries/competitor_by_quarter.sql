-- One row per (competitor, calendar quarter closed) with won and lost deals in the period.
-- Params: $start_date, $end_date (inclusive dates on closed_at, null = open-ended),
--         $segments, $regions, $owners (lists, null = all; owner = deal owner).
-- competitor null = the closed deals that name none. Closed deals with no close date have no
-- quarter and are left out. A deal naming several competitors counts once for each of them.
with

closed as (
    select deal_id, status, cast(date_trunc('quarter', closed_at) as date) as quarter_start
    from closed_deals_in_scope($start_date, $end_date, $segments, $regions, $owners)
    where closed_at is not null
),

named as (
    select deal_id, competitor from summary_deal_competitors
),

final as (
    select
        named.competitor,
        closed.quarter_start,
        count(*) filter (where closed.status = 'won') as count_won,
        count(*) filter (where closed.status = 'lost') as count_lost
    from closed
    left join named using (deal_id)
    group by named.competitor, closed.quarter_start
)

select * from final
order by competitor is null, competitor, quarter_start
