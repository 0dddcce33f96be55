-- One row: the first and last dates seen in deals, orders and surveys (for default periods).
-- Params: none. Null when there is no dated row.
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
