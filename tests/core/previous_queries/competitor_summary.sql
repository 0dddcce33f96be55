-- One row per competitor named on deals closed in the period, plus one row with competitor
-- null for the closed deals that name none: deals met, won, lost, amounts, median cycle.
-- Params: $start_date, $end_date (inclusive dates on closed_at, null = open-ended),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = deal owner).
-- A deal naming several competitors counts once for each of them (so rows add up to more
-- than the closed deals; competitor_totals gives totals that never double count). Names come
-- from summary_deal_competitors (a cell split on ';' and ','). Open deals never count.
-- Sales cycle = closed_at - created_at of won deals in days (negative cycles left out).
with

met as (
    select status, amount, cycle_days, competitor
    from summary_deals_closed_competitors
    where in_period(closed_at, $start_date, $end_date)
        and deal_in_scope(owner, account_id, $segments, $regions, $owners, $teams)
),

final as (
    select
        competitor,
        count(*) as count_deals,
        count(*) filter (where status = 'won') as count_won,
        count(*) filter (where status = 'lost') as count_lost,
        coalesce(sum(amount) filter (where status = 'won'), 0) as won_amount,
        coalesce(sum(amount) filter (where status = 'lost'), 0) as lost_amount,
        median(cycle_days) filter (where status = 'won' and cycle_days >= 0)
            as median_cycle_days
    from met
    group by competitor
)

select * from final
order by competitor is null, count_deals desc, competitor
