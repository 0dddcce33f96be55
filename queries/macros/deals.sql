-- Scope macros for deals and for rows keyed by a deal (its id, or its owner and account):
-- today's definitions, applied with `create or replace` each time the warehouse opens
-- (dashboard/store/macros.py), after accounts.sql, whose macros these call. Each one selects
-- what deals_in_scope selects; tests/store/test_scope_macros.py checks them against the plain
-- definitions written out in full.

-- Deals matching the filters: segment and region through the account, owner = deal owner,
-- team = the deal owner's team (owner_in_teams).
-- Two branches, exactly one of which can return rows. With no segment or region filter the
-- first one reads deals alone; otherwise the second one semi-joins the accounts in scope (an
-- account loaded twice never doubles a deal). Measured at 1M deals: a single semi-join behind
-- an OR ran even with no filter (DuckDB cannot skip a subquery behind an OR), 100-190 ms per
-- use; the two branches take 4-36 ms.
create or replace macro deals_in_scope(segments, regions, owners, teams) as table
    select *
    from deals
    where (owners is null or list_contains(cast(owners as varchar[]), owner))
      and owner_in_teams(owner, teams)
      and segments is null and regions is null
    union all
    select *
    from deals
    where (owners is null or list_contains(cast(owners as varchar[]), owner))
      and owner_in_teams(owner, teams)
      and not (segments is null and regions is null)
      and account_id in (select account_id from accounts_in_scope(segments, regions, null, null));

-- True when a deal (its owner and account id) is in the filter scope, with the results of
-- deals_in_scope: owner = deal owner; segment and region through the account (any copy of an
-- account loaded twice); with no segment or region filter the account subquery is empty and
-- costs little. For rows that carry a deal's owner and account, such as summary_deals_closed:
-- a macro cannot read a table that may not exist yet (summaries are built after the macros),
-- so queries read the summary themselves and apply the scope with this test.
-- Usage: `where deal_in_scope(owner, account_id, $segments, $regions, $owners, $teams)`.
create or replace macro deal_in_scope(deal_owner, acc, segments, regions, owners, teams) as
    (owners is null or list_contains(cast(owners as varchar[]), deal_owner))
    and owner_in_teams(deal_owner, teams)
    and ((segments is null and regions is null)
         or acc in (
             select account_id from accounts_in_scope(segments, regions, null, null)
             where not (segments is null and regions is null)
         ));

-- True when a deal id belongs to a deal in the filter scope (rows keyed by deal id, such as
-- summary_deal_competitors). With no filter at all the subquery is empty and costs little;
-- otherwise a semi-join, so a deal loaded twice counts once.
create or replace macro deal_id_in_scope(id, segments, regions, owners, teams) as
    (segments is null and regions is null and owners is null and teams is null)
    or id in (
        select deal_id from deals_in_scope(segments, regions, owners, teams)
        where not (segments is null and regions is null and owners is null and teams is null)
    );

-- Row-level scope for rows that carry a deal's owner and its account's segment, region and
-- number of copies in accounts (summary_funnel_stage_reached), with the results of
-- deals_in_scope. Written once here instead of in every funnel query. A query reads such a
-- table in two branches joined by `union all`, so DuckDB can skip the second one's row groups
-- while no account is loaded twice:
--   ... where deal_row_in_scope_one_copy(owner, account_copies, segment, region,
--                                        $segments, $regions, $owners, $teams)
--   union all
--   ... where deal_row_in_scope_copies(owner, account_copies, account_id,
--                                      $segments, $regions, $owners, $teams)

-- Accounts with at most one copy: segment and region are tested on the row itself (no copy =
-- an unknown account, which only an unfiltered view includes). Owner = the deal owner.
create or replace macro deal_row_in_scope_one_copy(deal_owner, copies, seg, reg, segments, regions, owners, teams) as
    (owners is null or list_contains(cast(owners as varchar[]), deal_owner))
    and owner_in_teams(deal_owner, teams)
    and copies <= 1
    and ((segments is null and regions is null) or (copies = 1
        and (segments is null or list_contains(cast(segments as varchar[]), seg))
        and (regions is null or list_contains(cast(regions as varchar[]), reg))));

-- Accounts loaded twice: any copy in scope counts, as in accounts_in_scope.
create or replace macro deal_row_in_scope_copies(deal_owner, copies, acc, segments, regions, owners, teams) as
    (owners is null or list_contains(cast(owners as varchar[]), deal_owner))
    and owner_in_teams(deal_owner, teams)
    and copies > 1
    and account_in_scope(acc, segments, regions, null, null);
