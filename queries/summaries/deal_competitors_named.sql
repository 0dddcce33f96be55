-- One row per competitor named on any deal (all statuses, all time): deals naming it, for
-- someone granted everything. Params: none (materialised as summary_deal_competitors_named
-- after every load and undo; built after summary_deal_competitors, whose name sorts first).
-- queries/competitor_names.sql reads it when the grant is everything (the competitors page
-- colours each competitor by this order on every view: counting summary_deal_competitors'
-- 675k rows took 20 ms at 1M deals) and counts a narrower grant's deals itself;
-- tests/analytics/competitors/test_competitor_names_summary.py checks the two agree.
with

final as (
    select competitor, count(*) as count_deals
    from summary_deal_competitors
    group by competitor
)

select * from final
