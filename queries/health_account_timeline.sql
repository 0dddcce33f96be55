-- One row per event of one account: deals created and closed, orders, touches, survey answers.
-- Params: $account_id (the account to drill into; its whole history, newest first),
--         $segments, $regions, $owners, $teams (lists, null = all, empty = nothing; owner = account
--         owner): nothing at all unless the account is within them, so a drill-down never
--         reaches outside the person's grant or the sidebar filters.
-- Each table is filtered on `account_id = $account_id` itself (a constant the scan compares
-- with each row group's min and max: loads store an account's rows together, see
-- warehouse.CLUSTER_KEYS) and on the scope check beside it.
with

allowed as (
    select account_in_scope($account_id, $segments, $regions, $owners, $teams) as is_allowed
),

account_deals as (
    select deal_id, deal_name, status, amount, created_at, closed_at, competitor, source
    from deals
    where account_id = $account_id and (select is_allowed from allowed)
),

events as (
    select created_at as event_at, 'deal created' as kind,
        coalesce(deal_name, deal_id) || coalesce(' · ' || source, '') as detail, amount
    from account_deals
    union all
    select closed_at, 'deal ' || status,
        coalesce(deal_name, deal_id) || coalesce(' · vs ' || nullif(trim(competitor), ''), ''),
        amount
    from account_deals
    where status in ('won', 'lost')
    union all
    select ordered_at, 'order', coalesce(product, order_id), amount
    from orders
    where account_id = $account_id and (select is_allowed from allowed)
    union all
    select occurred_at, 'touch',
        concat_ws(' · ', type, direction, department), null
    from activities
    where account_id = $account_id and (select is_allowed from allowed)
    union all
    select responded_at, 'survey ' || survey_type,
        'score ' || cast(score as varchar) || coalesce(' · ' || comment, ''), null
    from surveys
    where account_id = $account_id and (select is_allowed from allowed)
),

final as (
    select event_at, kind, detail, cast(amount as double) as amount
    from events
)

select * from final order by event_at desc nulls last, kind, detail
