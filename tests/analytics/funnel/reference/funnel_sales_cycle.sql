-- Frozen: reads the canonical tables and the ref_ macros and tables of
-- tests/analytics/reference.py only (never a live macro or summary).
-- One row per won deal of one pipeline closed in the period: its sales cycle in days.
-- Params: $start_date, $end_date (inclusive dates on closed_at, as for the overview’s median
--         sales cycle), $segments, $regions, $owners (lists, null = all; owner = deal owner),
--         $pipeline.
-- Sales cycle = closed_at - created_at of won deals (product.md); deals missing a date, or
-- closed before they were created, have no cycle and are left out.
with

won as (
    select deal_id, created_at, closed_at
    from ref_deals_in_scope($segments, $regions, $owners)
    where status = 'won'
        and ref_in_period(closed_at, $start_date, $end_date)
        and deal_id in (
            select deal_id from ref_summary_funnel_stage_entries
            where pipeline = $pipeline and evidence = 'created'
        )
),

final as (
    select deal_id, date_diff('second', created_at, closed_at) / 86400.0 as cycle_days
    from won
    where created_at is not null and closed_at >= created_at
)

select * from final order by cycle_days, deal_id
