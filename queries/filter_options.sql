-- One row per (dimension, value) offered in the sidebar: segments, regions, owners, teams.
-- Params: $segments, $regions, $owners, $teams (lists, null = all, empty = nothing): the person's
-- grant (Filters.scope_params), so nobody is offered a value from rows they may not see.
-- Owners come from accounts and deals alike (deal owners through the deal's account when
-- scoped); blanks are not offered. Teams come from the owners table (none when it is empty):
-- for a person with a narrower grant, only the teams of owners they see rows of.
-- Reads summary_filter_values (distinct combinations, queries/summaries/filter_values.sql)
-- with the tests of accounts_in_scope and deals_in_scope applied to its rows.
with

accounts_seen as (
    select segment, region, owner
    from summary_filter_values
    where kind = 'account'
      and ($segments is null or list_contains(cast($segments as varchar[]), segment))
      and ($regions is null or list_contains(cast($regions as varchar[]), region))
      and ($owners is null or list_contains(cast($owners as varchar[]), owner))
      and owner_in_teams(owner, $teams)
),

deals_seen as (
    select owner
    from summary_filter_values
    where kind = 'deal'
      and ($owners is null or list_contains(cast($owners as varchar[]), owner))
      and owner_in_teams(owner, $teams)
      and (($segments is null and $regions is null)
           or (has_account
               and ($segments is null or list_contains(cast($segments as varchar[]), segment))
               and ($regions is null or list_contains(cast($regions as varchar[]), region))))
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
