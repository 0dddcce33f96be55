-- Scope macros for accounts and for rows keyed by account (orders, surveys, activities,
-- tickets): today's definitions, applied with `create or replace` each time the warehouse
-- opens (dashboard/store/macros.py). Files apply in name order and DuckDB checks, when it
-- creates a macro, that the macros and tables it names exist: a macro calls only macros
-- above it in its file or in a file whose name sorts before its own, and reads only tables
-- the migrations create. Scope today = the sidebar filters narrowed by a person's grant.

-- Accounts matching the segment, region and (account) owner filters; null list = all.
create or replace macro accounts_in_scope(segments, regions, owners) as table
    select *
    from accounts
    where (segments is null or list_contains(cast(segments as varchar[]), segment))
      and (regions is null or list_contains(cast(regions as varchar[]), region))
      and (owners is null or list_contains(cast(owners as varchar[]), owner));

-- True when no account filter is set, so rows whose account is unknown still count.
-- account_in_scope below is the one test built on it.
create or replace macro account_filter_off(segments, regions, owners) as
    segments is null and regions is null and owners is null;

-- One test for rows keyed by account, instead of the two-part condition each query used to
-- spell out: true when no account filter is set (rows whose account is unknown still count),
-- else when the account is in accounts_in_scope.
-- The subquery returns nothing when no account filter is set, so its join has an empty build
-- side and costs little. Measured at 1M deals and 2.6M orders: the plain form
-- `account_filter_off(...) or acc in (select account_id from accounts_in_scope(...))` ran the
-- account semi-join even with no filter (DuckDB cannot skip a subquery behind an OR), 100-190
-- ms per use; this one takes 4-36 ms.
create or replace macro account_in_scope(acc, segments, regions, owners) as
    account_filter_off(segments, regions, owners)
    or acc in (
        select account_id from accounts_in_scope(segments, regions, owners)
        where not account_filter_off(segments, regions, owners)
    );
