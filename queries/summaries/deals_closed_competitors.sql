-- One row per (closed deal, competitor named on it); a closed deal with no competitor has one
-- row with competitor null. What the competitor page counts, so its queries need no join.
-- Params: none (materialised as summary_deals_closed_competitors after every load and undo;
-- built after summary_deals_closed and summary_deal_competitors, whose names sort first).
-- segment: the account's segment ('(not set)' when blank or unknown); an account loaded twice
-- keeps its latest segment, so a deal never counts twice.
-- Queries apply the period on closed_at and the scope with deal_in_scope(owner, account_id,
-- ...), as for summary_deals_closed.
with

account_segments as (
    select account_id, arg_max(segment, load_id) as segment
    from accounts
    group by account_id
),

final as (
    select
        c.deal_id,
        c.owner,
        c.account_id,
        c.status,
        c.amount,
        c.closed_at,
        c.cycle_days,
        nullif(trim(c.loss_reason), '') as loss_reason,
        coalesce(nullif(trim(a.segment), ''), '(not set)') as segment,
        n.competitor
    from summary_deals_closed c
    left join summary_deal_competitors n using (deal_id)
    left join account_segments a using (account_id)
)

select * from final order by closed_at
