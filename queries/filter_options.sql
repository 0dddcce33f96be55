-- One row per (dimension, value) offered in the sidebar: segments, regions, owners.
-- Params: none. Owners come from accounts and deals alike; blanks are not offered.
with

values_seen as (
    select 'segment' as dimension, segment as value from accounts
    union
    select 'region', region from accounts
    union
    select 'owner', owner from accounts
    union
    select 'owner', owner from deals
),

final as (
    select dimension, value
    from values_seen
    where value is not null and trim(value) <> ''
)

select * from final order by dimension, value
