-- Scope macros for accounts and for rows keyed by account (orders, surveys, activities,
-- tickets): today's definitions, applied with `create or replace` each time the warehouse
-- opens (dashboard/store/macros.py). Files apply in name order and DuckDB checks, when it
-- creates a macro, that the macros and tables it names exist: a macro calls only macros
-- above it in its file or in a file whose name sorts before its own, and reads only tables
-- the migrations create. Scope today = the sidebar filters narrowed by a person's grant.

-- True when `who` (a deal's or an account's owner) belongs to one of `teams` in the owners
-- table (product.md: the Team filter); null teams = every owner, even one the owners table
-- does not list. An owner without a row, or without a team, is in no team. The owners table
-- holds one row per owner (warehouse.REPLACE_KEYS), a few hundred rows at most; with no team
-- filter the subquery's own `where` leaves it empty, so its join has an empty build side.
create or replace macro owner_in_teams(who, teams) as
    teams is null
    or who in (
        select o.owner from owners o
        where teams is not null and list_contains(cast(teams as varchar[]), o.team)
    );

-- Accounts matching the segment, region, (account) owner and team filters; null list = all.
-- The team is the account owner's.
create or replace macro accounts_in_scope(segments, regions, owners, teams) as table
    select *
    from accounts
    where (segments is null or list_contains(cast(segments as varchar[]), segment))
      and (regions is null or list_contains(cast(regions as varchar[]), region))
      and (owners is null or list_contains(cast(owners as varchar[]), owner))
      and owner_in_teams(owner, teams);

-- True when no account filter is set, so rows whose account is unknown still count.
-- account_in_scope below is the one test built on it.
create or replace macro account_filter_off(segments, regions, owners, teams) as
    segments is null and regions is null and owners is null and teams is null;

-- One test for rows keyed by account, instead of the two-part condition each query used to
-- spell out: true when no account filter is set (rows whose account is unknown still count),
-- else when the account is in accounts_in_scope.
-- The subquery returns nothing when no account filter is set, so its join has an empty build
-- side and costs little. Measured at 1M deals and 2.6M orders: the plain form
-- `account_filter_off(...) or acc in (select account_id from accounts_in_scope(...))` ran the
-- account semi-join even with no filter (DuckDB cannot skip a subquery behind an OR), 100-190
-- ms per use; this one takes 4-36 ms.
create or replace macro account_in_scope(acc, segments, regions, owners, teams) as
    account_filter_off(segments, regions, owners, teams)
    or acc in (
        select account_id from accounts_in_scope(segments, regions, owners, teams)
        where not account_filter_off(segments, regions, owners, teams)
    );
