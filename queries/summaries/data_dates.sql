-- One row: the first and last dates seen in deals, orders and surveys (null when no row is
-- dated). Params: none (materialised as summary_data_dates after every load and undo), so the
-- sidebar's dates and span line, which run before every page, read one row instead of scanning
-- every deal, order and answer three times per view (queries/data_date_range.sql reads it).
with

dates_seen as (
    select created_at as seen_at from deals
    union all select closed_at from deals
    union all select ordered_at from orders
    union all select responded_at from surveys
),

final as (
    select cast(min(seen_at) as date) as first_date, cast(max(seen_at) as date) as last_date
    from dates_seen
)

select * from final
