-- One row per (dimension, value) offered in the sidebar: segments, regions, owners, teams.
-- Params: $segments, $regions, $owners, $teams (lists, null = all, empty = nothing): the person's
-- grant (Filters.scope_params), so nobody is offered a value from rows they may not see.
-- Owners come from accounts and deals alike (deal owners through the deal's account when
-- scoped); blanks are not offered. Teams come from the owners table (none when it is empty):
-- for a person with a narrower grant, only the teams of owners they see rows of.
with

accounts_seen as (
    select segment, region, owner
    from accounts_in_scope($segments, $regions, $owners, $teams)
),

deals_seen as (
    select owner
    from deals_in_scope($segments, $regions, $owners, $teams)
),

teams_seen as (
    select o.team
    from owners as o
    where owner_in_teams(o.owner, $teams)
      and (($segments is null and $regions is null and $owners is null and $teams is null)
           or o.owner in (select owner from accounts_seen union select owner from deals_seen))
),

values_seen as (
    select 'segment' as dimension, segment as value from accounts_seen
    union
    select 'region', region from accounts_seen
    union
    select 'owner', owner from accounts_seen
    union
    select 'owner', owner from deals_seen
    union
    select 'team', team from teams_seen
),

final as (
    select dimension, value
    from values_seen
    where value is not null and trim(value) <> ''
)

select * from final order by dimension, value
