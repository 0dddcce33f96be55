-- Frozen copies of the scope macros as queries/macros defined them when the reference queries
-- (funnel/reference/*.sql, health/health_accounts_before.sql) were frozen, as temp macros
-- with a ref_ prefix: a later change to queries/macros cannot change what a reference returns.
-- Created per cursor by tests/analytics/reference.py; nothing here may call a live macro.

-- True when ts falls in [start_date, end_date] (inclusive dates). With no period every row
-- counts, including rows whose date is missing; with one, those rows drop out.
create or replace temp macro ref_in_period(ts, start_date, end_date) as
    (start_date is null or ts >= cast(start_date as timestamp))
    and (end_date is null or ts < cast(end_date as timestamp) + interval 1 day);

-- Accounts matching the segment, region and (account) owner filters; null list = all.
create or replace temp macro ref_accounts_in_scope(segments, regions, owners) as table
    select *
    from accounts
    where (segments is null or list_contains(cast(segments as varchar[]), segment))
      and (regions is null or list_contains(cast(regions as varchar[]), region))
      and (owners is null or list_contains(cast(owners as varchar[]), owner));

-- Deals matching the filters: segment and region through the account, owner = deal owner; an
-- account loaded twice never doubles a deal.
create or replace temp macro ref_deals_in_scope(segments, regions, owners) as table
    select *
    from deals
    where (owners is null or list_contains(cast(owners as varchar[]), owner))
      and segments is null and regions is null
    union all
    select *
    from deals
    where (owners is null or list_contains(cast(owners as varchar[]), owner))
      and not (segments is null and regions is null)
      and account_id in (select account_id from ref_accounts_in_scope(segments, regions, null));
