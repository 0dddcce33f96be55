-- One row per closed deal (won or lost): every deal column, whether it was won, its sales
-- cycle and whether a competitor was named on it.
-- Params: none (materialised as summary_deals_closed after every load and undo; read by every
-- query about closed deals, so "closed" and the cycle have one definition).
-- cycle_days (product.md): closed_at - created_at in days; null when a date is missing.
-- has_competitor: the deal has a row in summary_deal_competitors (built before this one:
-- summaries are built in name order and "deal_competitors" sorts before "deals_closed").
-- Incremental by deal_id: deals, summary_deal_competitors
-- Incremental, why: a deal's row reads only its own deals row and whether it has competitor
-- Incremental, why: rows, which its own competitor cell decides.
-- Queries apply the period on closed_at and the scope with deal_in_scope(owner, account_id,
-- ...); rows are ordered by closed_at so a period reads only the row groups it needs.
with

closed as (
    select *
    from deals
    where status in ('won', 'lost')
),

final as (
    select
        *,
        status = 'won' as is_won,
        date_diff('second', created_at, closed_at) / 86400.0 as cycle_days,
        deal_id in (select deal_id from summary_deal_competitors) as has_competitor
    from closed
)

select * from final order by closed_at
