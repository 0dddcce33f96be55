-- One row per competitor named on any deal (all statuses, all time): deals naming it.
-- Params: none. The order (most deals first) gives each competitor a colour that stays the
-- same whatever the filters, so it keeps its colour across charts and pages.
with

final as (
    select competitor, count(*) as count_deals
    from summary_deal_competitors
    group by competitor
)

select * from final
order by count_deals desc, competitor
