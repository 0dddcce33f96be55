-- Filter scope and period placement, defined once for every query file.
-- Scope today = the sidebar filters; row-level grants will narrow the same macros later.

-- True when ts falls in [start_date, end_date] (inclusive dates). With no period every row
-- counts, including rows whose date is missing (product.md); with one, those rows drop out.
create macro in_period(ts, start_date, end_date) as
    (start_date is null or ts >= cast(start_date as timestamp))
    and (end_date is null or ts < cast(end_date as timestamp) + interval 1 day);

-- Accounts matching the segment, region and (account) owner filters; null list = all.
create macro accounts_in_scope(segments, regions, owners) as table
    select *
    from accounts
    where (segments is null or list_contains(cast(segments as varchar[]), segment))
      and (regions is null or list_contains(cast(regions as varchar[]), region))
      and (owners is null or list_contains(cast(owners as varchar[]), owner));

-- Deals matching the filters: segment and region through the account, owner = deal owner.
-- A semi-join, so an account loaded twice never doubles a deal.
create macro deals_in_scope(segments, regions, owners) as table
    select *
    from deals
    where (owners is null or list_contains(cast(owners as varchar[]), owner))
      and ((segments is null and regions is null)
           or account_id in (select account_id from accounts_in_scope(segments, regions, null)));

-- For rows keyed by account (orders, surveys, activities, tickets): true when no account
-- filter is set, so rows whose account is unknown still count. Use with
-- `account_filter_off(...) or account_id in (select account_id from accounts_in_scope(...))`.
create macro account_filter_off(segments, regions, owners) as
    segments is null and regions is null and owners is null;
