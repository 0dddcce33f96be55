-- Closed deals now come from summary_deals_closed (queries/summaries/deals_closed.sql), built
-- once per load and ordered by closed_at, instead of a macro re-deriving them from every deal
-- on each click. A DuckDB macro cannot read a table that may not exist yet, so queries read
-- the summary themselves and apply the scope with deal_in_scope below.

-- True when a deal (its owner and account id) is in the filter scope, with the results of
-- deals_in_scope: owner = deal owner; segment and region through the account (any copy of an
-- account loaded twice); with no segment or region filter the account subquery is empty and
-- costs little. Usage: `where deal_in_scope(owner, account_id, $segments, $regions, $owners)`.
create macro deal_in_scope(deal_owner, acc, segments, regions, owners) as
    (owners is null or list_contains(cast(owners as varchar[]), deal_owner))
    and ((segments is null and regions is null)
         or acc in (
             select account_id from accounts_in_scope(segments, regions, null)
             where not (segments is null and regions is null)
         ));

-- True when a deal id belongs to a deal in the filter scope (rows keyed by deal id, such as
-- summary_deal_competitors). With no filter at all the subquery is empty and costs little;
-- otherwise a semi-join, so a deal loaded twice counts once.
create macro deal_id_in_scope(id, segments, regions, owners) as
    (segments is null and regions is null and owners is null)
    or id in (
        select deal_id from deals_in_scope(segments, regions, owners)
        where not (segments is null and regions is null and owners is null)
    );

drop macro table closed_deals_in_scope;
