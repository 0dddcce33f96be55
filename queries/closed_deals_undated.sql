-- One row: closed (won or lost) deals in scope that have no close date, so no period can place
-- them. Params: $segments, $regions, $owners, $teams (lists, null = all; owner = deal owner).
-- The same count as deal_summary's closed_deals_without_date (every won or lost deal is in
-- summary_deals_closed once, undated ones last), without the rest of deal_summary's scans:
-- the competitor page needs this number alone.
with

undated as (
    select deal_id
    from summary_deals_closed
    where closed_at is null
        and deal_in_scope(owner, account_id, $segments, $regions, $owners, $teams)
),

final as (
    select count(*) as closed_deals_without_date from undated
)

select * from final
