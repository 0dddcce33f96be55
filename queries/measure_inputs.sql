-- One row per canonical field a tile, chart or health metric reads (dashboard/core/needs.py):
-- how many rows the table holds and how many of them have a value in that field, over every
-- load in effect. A field with rows_known = 0 was never fed (never mapped, or mapped to an
-- empty column): the measures that need it are "no data", never 0 (product.md).
-- Params: none. tests/core/test_needs.py checks that every input needs.py declares is here.
with

fields_fed as (
    select 'deals' as table_name, 'amount' as field_name, count(*) as rows_total,
        count(amount) as rows_known
    from deals
    union all select 'deals', 'created_at', count(*), count(created_at) from deals
    union all select 'deals', 'closed_at', count(*), count(closed_at) from deals
    union all select 'deals', 'account_id', count(*), count(account_id) from deals
    union all select 'deals', 'stage', count(*), count(nullif(trim(stage), '')) from deals
    union all select 'deals', 'status', count(*), count(status) from deals
    union all select 'deals', 'owner', count(*), count(nullif(trim(owner), '')) from deals
    union all select 'deals', 'source', count(*), count(nullif(trim(source), '')) from deals
    union all select 'deals', 'product', count(*), count(nullif(trim(product), '')) from deals
    union all select 'deals', 'competitor', count(*), count(nullif(trim(competitor), '')) from deals
    union all select 'deals', 'loss_reason', count(*), count(nullif(trim(loss_reason), ''))
        from deals
    union all select 'accounts', 'account_id', count(*), count(account_id) from accounts
    union all select 'accounts', 'segment', count(*), count(nullif(trim(segment), '')) from accounts
    union all select 'accounts', 'industry', count(*), count(nullif(trim(industry), ''))
        from accounts
    union all select 'accounts', 'region', count(*), count(nullif(trim(region), '')) from accounts
    union all select 'accounts', 'owner', count(*), count(nullif(trim(owner), '')) from accounts
    union all select 'orders', 'account_id', count(*), count(account_id) from orders
    union all select 'orders', 'ordered_at', count(*), count(ordered_at) from orders
    union all select 'orders', 'amount', count(*), count(amount) from orders
    union all select 'orders', 'product', count(*), count(nullif(trim(product), '')) from orders
    union all select 'surveys', 'score', count(*), count(score) from surveys
    union all select 'surveys', 'responded_at', count(*), count(responded_at) from surveys
    union all select 'surveys', 'account_id', count(*), count(account_id) from surveys
    union all select 'surveys', 'comment', count(*), count(nullif(trim(comment), '')) from surveys
    union all select 'activities', 'account_id', count(*), count(account_id) from activities
    union all select 'activities', 'occurred_at', count(*), count(occurred_at) from activities
    union all select 'activities', 'type', count(*), count(nullif(trim(type), '')) from activities
    union all select 'activities', 'department', count(*), count(nullif(trim(department), ''))
        from activities
    union all select 'activities', 'is_personalized', count(*), count(is_personalized)
        from activities
),

final as (
    select * from fields_fed
)

select * from final
order by table_name, field_name
