-- One row per (competitor, loss reason) among deals lost in the period: deals and amount.
-- Params: $start_date, $end_date (inclusive dates on closed_at, null = open-ended),
--         $segments, $regions, $owners (lists, null = all; owner = deal owner).
-- competitor null = the lost deals that name none; loss_reason null = not recorded. A deal
-- naming several competitors counts once for each of them.
with

lost as (
    select deal_id, amount, nullif(trim(loss_reason), '') as loss_reason
    from closed_deals_in_scope($start_date, $end_date, $segments, $regions, $owners)
    where status = 'lost'
),

named as (
    select deal_id, competitor from summary_deal_competitors
),

final as (
    select
        named.competitor,
        lost.loss_reason,
        count(*) as count_deals,
        coalesce(sum(lost.amount), 0) as lost_amount
    from lost
    left join named using (deal_id)
    group by named.competitor, lost.loss_reason
)

select * from final
order by competitor is null, competitor, count_deals desc, loss_reason nulls last
