-- One test for rows keyed by account (orders, surveys, activities, tickets), replacing the
-- two-part condition each query used to spell out: true when no account filter is set (rows
-- whose account is unknown still count), else when the account is in accounts_in_scope.
create macro account_in_scope(acc, segments, regions, owners) as
    account_filter_off(segments, regions, owners)
    or acc in (select account_id from accounts_in_scope(segments, regions, owners));
