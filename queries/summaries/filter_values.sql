-- One row per distinct combination the sidebar's filter options depend on (queries/
-- filter_options.sql reads it), so the options, which run before every page, read a few
-- thousand rows instead of every account and deal.
-- Params: none (materialised as summary_filter_values after every load and undo).
--   kind 'account': distinct (segment, region, owner) of accounts: accounts_in_scope tests
--     only these columns, so an account is in scope exactly when its combination is.
--   kind 'deal': distinct (deal owner, segment and region of each copy of the deal's account);
--     has_account is false for a deal whose account is unknown (seen only with no segment or
--     region filter, as in deals_in_scope). A deal is in scope exactly when one of its rows is.
with

account_values as (
    select distinct
        'account' as kind, segment, region, owner, true as has_account
    from accounts
),

deal_values as (
    select distinct
        'deal' as kind, a.segment, a.region, d.owner, a.account_id is not null as has_account
    from deals as d
    left join accounts as a on a.account_id = d.account_id
),

final as (
    select * from account_values
    union all
    select * from deal_values
)

select * from final
