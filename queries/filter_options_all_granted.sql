-- One row per (dimension, value) offered in the sidebar to a person who may see everything
-- (the local user, viewers, analysts, admins): every segment, region, owner (of accounts and
-- of deals) and team, without the grant's tests (issue 18: the sidebar options run before
-- every page). The rows of filter_options.sql with all four lists null.
-- Params: $segments, $regions, $owners, $teams: all must be null (a full grant); with any
-- other grant there is no row (filter_options.sql answers it).
with

granted as (
    select 1 as ok
    where $segments is null and $regions is null and $owners is null and $teams is null
),

values_seen as (
    select 'segment' as dimension, segment as value
    from summary_filter_values where kind = 'account'
    union
    select 'region', region from summary_filter_values where kind = 'account'
    union
    select 'owner', owner from summary_filter_values
    union
    select 'team', team from owners
),

final as (
    select dimension, value
    from values_seen
    where value is not null and trim(value) <> ''
        and exists (select 1 from granted)
)

select * from final order by dimension, value
