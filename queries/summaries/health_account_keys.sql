-- One row per account id in accounts: a small integer key the health summaries are keyed by
-- (grouping 10M touches by an integer is many times faster than by text). An account loaded
-- twice has one key. Params: none (materialised as summary_health_account_keys).
with

account_ids as (
    select distinct account_id
    from accounts
),

final as (
    select account_id, cast(row_number() over (order by account_id) as integer) as account_key
    from account_ids
)

select * from final
