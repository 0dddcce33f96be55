-- One row per (from_day, to_day): how many accounts were touched by two or more departments
-- in the 90 days up to and including each day of [from_day, to_day] (the health metric
-- "accounts touched by 2+ departments", for a window ending that day), so the trend reads a
-- count per window end instead of grouping every touch by account: the spans of
-- summary_health_trend_spans (how they are found is said there) added up over profiles.
-- Params: none (materialised as summary_health_window_spans).
with

final as (
    select from_day, to_day, cast(sum(accounts) as bigint) as accounts
    from summary_health_trend_spans
    group by from_day, to_day
)

select * from final order by from_day, to_day
