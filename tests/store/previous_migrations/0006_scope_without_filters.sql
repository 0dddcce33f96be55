-- The scope macros again, with the same results, but cheap when no account filter is set.
-- Measured at 1M deals and 2.6M orders: the account semi-join of 0002/0004 ran even with no
-- filter (DuckDB cannot skip a subquery behind an OR), 100-190 ms per use; these take 4-36 ms.

-- deals_in_scope: two branches, exactly one of which can return rows. With no segment or
-- region filter the first one reads deals alone; otherwise the second one semi-joins the
-- accounts in scope (an account loaded twice never doubles a deal).
create or replace macro deals_in_scope(segments, regions, owners) as table
    select *
    from deals
    where (owners is null or list_contains(cast(owners as varchar[]), owner))
      and segments is null and regions is null
    union all
    select *
    from deals
    where (owners is null or list_contains(cast(owners as varchar[]), owner))
      and not (segments is null and regions is null)
      and account_id in (select account_id from accounts_in_scope(segments, regions, null));

-- account_in_scope: the subquery returns nothing when no account filter is set, so its join
-- has an empty build side and costs little; rows with an unknown account still count then.
create or replace macro account_in_scope(acc, segments, regions, owners) as
    account_filter_off(segments, regions, owners)
    or acc in (
        select account_id from accounts_in_scope(segments, regions, owners)
        where not account_filter_off(segments, regions, owners)
    );
