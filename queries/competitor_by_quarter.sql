-- One row per (competitor, calendar quarter closed) with won and lost deals in the period.
-- Params: $start_date, $end_date (inclusive dates on closed_at, null = open-ended),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = deal owner).
-- competitor null = the closed deals that name none. Closed deals with no close date have no
-- quarter and are left out. A deal naming several competitors counts once for each of them.
with

closed as (
    select competitor, status, cast(date_trunc('quarter', closed_at) as date) as quarter_start
    from ({{ query('closed_deal_competitors_in_scope') }}) as in_scope
    where closed_at is not null
),

final as (
    select
        competitor,
        quarter_start,
        count(*) filter (where status = 'won') as count_won,
        count(*) filter (where status = 'lost') as count_lost
    from closed
    group by competitor, quarter_start
)

select * from final
order by competitor is null, competitor, quarter_start
