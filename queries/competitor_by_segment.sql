-- One row per (competitor, account segment) with won and lost deals closed in the period.
-- Params: $start_date, $end_date (inclusive dates on closed_at, null = open-ended),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = deal owner).
-- competitor null = the closed deals that name none. Segment "(not set)" = the account has no
-- segment or is not in the accounts table. A deal naming several competitors counts once for
-- each of them.
with

closed as (
    select competitor, segment, status
    from ({{ query('closed_deal_competitors_in_scope') }}) as in_scope
),

final as (
    select
        competitor,
        segment,
        count(*) filter (where status = 'won') as count_won,
        count(*) filter (where status = 'lost') as count_lost
    from closed
    group by competitor, segment
)

select * from final
order by competitor is null, competitor, segment
