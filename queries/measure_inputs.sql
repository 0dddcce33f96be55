-- One row per canonical field a tile, chart or health metric reads (dashboard/core/needs.py):
-- how many rows the table holds and how many of them have a value in that field, over every
-- load in effect, within the person's grant. A field with rows_known = 0 was never fed (never
-- mapped, or mapped to an empty column) as far as this person can see: the measures that need
-- it are "no data", never 0 (product.md). A manager granted nothing sees no rows at all.
-- Params: $segments, $regions, $owners, $teams: the grant alone (Filters.scope_params), not
-- the sidebar's choices, so "no amount column was mapped" never follows a filter.
-- tests/core/test_needs.py checks that every input needs.py declares is here.
with

scoped_deals as (
    select * from deals_in_scope($segments, $regions, $owners, $teams)
),

scoped_accounts as (
    select * from accounts_in_scope($segments, $regions, $owners, $teams)
),

scoped_orders as (
    select * from orders
    where account_in_scope(account_id, $segments, $regions, $owners, $teams)
),

scoped_surveys as (
    select * from surveys
    where account_in_scope(account_id, $segments, $regions, $owners, $teams)
),

scoped_activities as (
    select * from activities
    where account_in_scope(account_id, $segments, $regions, $owners, $teams)
),

-- One scan per table: its row count and, per field, the rows with a value (unpivoted).
deals_fed as (
    select
        count(*) as rows_total,
        count(amount) as amount,
        count(created_at) as created_at,
        count(closed_at) as closed_at,
        count(account_id) as account_id,
        count(nullif(trim(stage), '')) as stage,
        count(status) as status,
        count(nullif(trim(owner), '')) as owner,
        count(nullif(trim(source), '')) as source,
        count(nullif(trim(product), '')) as product,
        count(nullif(trim(competitor), '')) as competitor,
        count(nullif(trim(loss_reason), '')) as loss_reason
    from scoped_deals
),

accounts_fed as (
    select
        count(*) as rows_total,
        count(account_id) as account_id,
        count(nullif(trim(segment), '')) as segment,
        count(nullif(trim(industry), '')) as industry,
        count(nullif(trim(region), '')) as region,
        count(nullif(trim(owner), '')) as owner
    from scoped_accounts
),

orders_fed as (
    select
        count(*) as rows_total,
        count(account_id) as account_id,
        count(ordered_at) as ordered_at,
        count(amount) as amount,
        count(nullif(trim(product), '')) as product
    from scoped_orders
),

surveys_fed as (
    select
        count(*) as rows_total,
        count(score) as score,
        count(responded_at) as responded_at,
        count(account_id) as account_id,
        count(nullif(trim(comment), '')) as comment
    from scoped_surveys
),

activities_fed as (
    select
        count(*) as rows_total,
        count(account_id) as account_id,
        count(occurred_at) as occurred_at,
        count(nullif(trim(type), '')) as type,
        count(nullif(trim(department), '')) as department,
        count(is_personalized) as is_personalized
    from scoped_activities
),

fields_fed as (
    select 'deals' as table_name, field_name, rows_total, rows_known
    from (
        unpivot deals_fed on columns(* exclude (rows_total))
        into name field_name value rows_known
    )
    union all
    select 'accounts' as table_name, field_name, rows_total, rows_known
    from (
        unpivot accounts_fed on columns(* exclude (rows_total))
        into name field_name value rows_known
    )
    union all
    select 'orders' as table_name, field_name, rows_total, rows_known
    from (
        unpivot orders_fed on columns(* exclude (rows_total))
        into name field_name value rows_known
    )
    union all
    select 'surveys' as table_name, field_name, rows_total, rows_known
    from (
        unpivot surveys_fed on columns(* exclude (rows_total))
        into name field_name value rows_known
    )
    union all
    select 'activities' as table_name, field_name, rows_total, rows_known
    from (
        unpivot activities_fed on columns(* exclude (rows_total))
        into name field_name value rows_known
    )
),

final as (
    select * from fields_fed
)

select * from final
order by table_name, field_name
