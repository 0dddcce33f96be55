-- One row per account key: its profile, a small integer shared by the accounts a scope
-- (segment, region, owner and team filters, a role's grant) cannot tell apart, so the
-- per-profile health summaries (health_trend_*) keep a few dozen rows per day, not one per
-- account, and still serve any scope: an account loaded once has the profile of its segment,
-- region, owner and whether its profile is complete (what accounts_in_scope and the data
-- quality metric read); an account loaded more than once has a profile of its own (-its key),
-- as its copies may match a scope one by one (queries/health_totals_all.sql counts them).
-- is_complete_once: loaded once with a complete profile (the data quality metric, unfiltered).
-- Params: none (materialised as summary_health_profiles).
with

copies as (
    select
        k.account_key,
        a.segment,
        a.region,
        a.owner,
        nullif(trim(a.segment), '') is not null and nullif(trim(a.industry), '') is not null
        and nullif(trim(a.region), '') is not null and nullif(trim(a.owner), '') is not null
            as is_complete
    from accounts as a
    join summary_health_account_keys as k on k.account_id = a.account_id
),

keyed as (
    select
        account_key,
        count(*) as copies,
        any_value(segment) as segment,
        any_value(region) as region,
        any_value(owner) as owner,
        bool_and(is_complete) as is_complete
    from copies
    group by account_key
),

final as (
    select
        account_key,
        case when copies = 1
            then dense_rank() over (
                order by copies = 1, segment, region, owner, is_complete
            )
            else -account_key
        end as profile,
        copies = 1 and is_complete as is_complete_once
    from keyed
)

select * from final order by profile, account_key
