-- One row per competitor named on any deal (all statuses, all time): deals naming it.
-- Params: $segments, $regions, $owners, $teams (lists, null = all, empty = nothing): the person's
-- grant (Filters.scope_params), not the sidebar choices. The order (most deals first) gives
-- each competitor a colour that stays the same whatever the filters, so it keeps its colour
-- across charts and pages; nobody learns a competitor met only outside their grant.
-- Someone granted everything reads the per-load counts (summary_deal_competitors_named); a
-- narrower grant counts its own deals, and that branch is empty (no scan) otherwise.
with

everything as (
    select competitor, count_deals
    from summary_deal_competitors_named
    where account_filter_off($segments, $regions, $owners, $teams)
),

scoped as (
    select competitor, count(*) as count_deals
    from summary_deal_competitors
    where not account_filter_off($segments, $regions, $owners, $teams)
        and deal_id_in_scope(deal_id, $segments, $regions, $owners, $teams)
    group by competitor
),

final as (
    select * from everything
    union all
    select * from scoped
)

select * from final
order by count_deals desc, competitor
