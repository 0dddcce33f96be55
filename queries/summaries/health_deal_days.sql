-- Deals counted by what the health page asks of them, keyed by account and deal owner:
-- created day, closed day, status and the partner/competitor flags.
-- Params: none (materialised as summary_health_deal_days). Deals of an account id not in
-- accounts, or without one, are left out (no page can place them).
with

facts as (
    select
        k.account_key,
        d.owner,
        d.status,
        cast(d.created_at as date) as created_day,
        cast(d.closed_at as date) as closed_day,
        coalesce(regexp_matches(lower(d.source), 'partner|referral'), false) as is_partner,
        coalesce(nullif(trim(d.competitor), '') is not null, false) as is_competitive
    from deals as d
    join summary_health_account_keys as k on k.account_id = d.account_id
),

final as (
    select
        account_key, owner, status, created_day, closed_day, is_partner, is_competitive,
        count(*) as deals
    from facts
    group by account_key, owner, status, created_day, closed_day, is_partner, is_competitive
)

select * from final
