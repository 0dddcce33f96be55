-- One row per (dimension, value) offered in the sidebar: segments, regions, owners.
-- Params: $segments, $regions, $owners (lists, null = all, empty = nothing): the person's
-- grant (Filters.scope_params), so nobody is offered a value from rows they may not see.
-- Owners come from accounts and deals alike (deal owners through the deal's account when
-- scoped); blanks are not offered.
with

accounts_seen as (
    select segment, region, owner
    from accounts_in_scope($segments, $regions, $owners)
),

deals_seen as (
    select owner
    from deals_in_scope($segments, $regions, $owners)
),

values_seen as (
    select 'segment' as dimension, segment as value from accounts_seen
    union
    select 'region', region from accounts_seen
    union
    select 'owner', owner from accounts_seen
    union
    select 'owner', owner from deals_seen
),

final as (
    select dimension, value
    from values_seen
    where value is not null and trim(value) <> ''
)

select * from final order by dimension, value
