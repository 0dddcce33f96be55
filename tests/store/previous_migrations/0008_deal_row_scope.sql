-- Row-level scope for rows that carry a deal's owner and its account's segment, region and
-- number of copies in accounts (summary_funnel_stage_reached), with the results of
-- deals_in_scope. Written once here instead of in every funnel query. A query reads such a
-- table in two branches joined by `union all`, so DuckDB can skip the second one's row groups
-- while no account is loaded twice:
--   ... where deal_row_in_scope_one_copy(owner, account_copies, segment, region,
--                                        $segments, $regions, $owners)
--   union all
--   ... where deal_row_in_scope_copies(owner, account_copies, account_id,
--                                      $segments, $regions, $owners)

-- Accounts with at most one copy: segment and region are tested on the row itself (no copy =
-- an unknown account, which only an unfiltered view includes). Owner = the deal owner.
create macro deal_row_in_scope_one_copy(deal_owner, copies, seg, reg, segments, regions, owners) as
    (owners is null or list_contains(cast(owners as varchar[]), deal_owner))
    and copies <= 1
    and ((segments is null and regions is null) or (copies = 1
        and (segments is null or list_contains(cast(segments as varchar[]), seg))
        and (regions is null or list_contains(cast(regions as varchar[]), reg))));

-- Accounts loaded twice: any copy in scope counts, as in accounts_in_scope.
create macro deal_row_in_scope_copies(deal_owner, copies, acc, segments, regions, owners) as
    (owners is null or list_contains(cast(owners as varchar[]), deal_owner))
    and copies > 1
    and account_in_scope(acc, segments, regions, null);
