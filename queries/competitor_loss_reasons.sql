-- One row per (competitor, loss reason) among deals lost in the period: deals and amount.
-- Params: $start_date, $end_date (inclusive dates on closed_at, null = open-ended),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = deal owner).
-- competitor null = the lost deals that name none; loss_reason null = not recorded. A deal
-- naming several competitors counts once for each of them.
with

lost as (
    select competitor, amount, loss_reason
    from ({{ query('closed_deal_competitors_in_scope') }}) as in_scope
    where status = 'lost'
),

final as (
    select
        competitor,
        loss_reason,
        count(*) as count_deals,
        coalesce(sum(amount), 0) as lost_amount
    from lost
    group by competitor, loss_reason
)

select * from final
order by competitor is null, competitor, count_deals desc, loss_reason nulls last
