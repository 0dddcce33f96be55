-- One row per canonical field a tile, chart or health metric reads (dashboard/core/needs.py):
-- how many rows the table holds and how many of them have a value in that field, over every
-- load in effect, within the person's grant. A field with rows_known = 0 was never fed (never
-- mapped, or mapped to an empty column) as far as this person can see: the measures that need
-- it are "no data", never 0 (product.md). A manager granted nothing sees no rows at all.
-- Params: $segments, $regions, $owners, $teams: the grant alone (Filters.scope_params), not
-- the sidebar's choices, so "no amount column was mapped" never follows a filter.
-- tests/core/test_needs.py checks that every input needs.py declares is here.
with

-- Everyone granted everything reads the per-load counts; the CTEs below count a narrower
-- grant's rows, and each is empty (no scan) when the grant is everything.
everything as (
    select table_name, field_name, rows_total, rows_known
    from summary_measure_inputs
    where account_filter_off($segments, $regions, $owners, $teams)
),

scoped_deals as (
    select * from deals_in_scope($segments, $regions, $owners, $teams)
    where not account_filter_off($segments, $regions, $owners, $teams)
),

scoped_accounts as (
    select * from accounts_in_scope($segments, $regions, $owners, $teams)
    where not account_filter_off($segments, $regions, $owners, $teams)
),

scoped_orders as (
    select * from orders
    where not account_filter_off($segments, $regions, $owners, $teams)
        and account_in_scope(account_id, $segments, $regions, $owners, $teams)
),

scoped_surveys as (
    select * from surveys
    where not account_filter_off($segments, $regions, $owners, $teams)
        and account_in_scope(account_id, $segments, $regions, $owners, $teams)
),

scoped_activities as (
    select * from activities
    where not account_filter_off($segments, $regions, $owners, $teams)
        and account_in_scope(account_id, $segments, $regions, $owners, $teams)
),

-- One scan per table: its row count and, per field, the rows with a value.
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

-- A deal's stage history is in scope with its deal (time in stage, funnel page).
history_fed as (
    select count(*) as rows_total, count(entered_at) as entered_at
    from deal_stage_history
    where not account_filter_off($segments, $regions, $owners, $teams)
        and deal_id in (select deal_id from scoped_deals)
),

fields_fed as (
    -- one row per field, from the one-row count of its table (portable: no UNPIVOT on Spark)
    select 'deals' as table_name, 'amount' as field_name, rows_total, amount as rows_known
    from deals_fed
    union all
    select 'deals' as table_name, 'created_at' as field_name, rows_total, created_at as rows_known
    from deals_fed
    union all
    select 'deals' as table_name, 'closed_at' as field_name, rows_total, closed_at as rows_known
    from deals_fed
    union all
    select 'deals' as table_name, 'account_id' as field_name, rows_total, account_id as rows_known
    from deals_fed
    union all
    select 'deals' as table_name, 'stage' as field_name, rows_total, stage as rows_known
    from deals_fed
    union all
    select 'deals' as table_name, 'status' as field_name, rows_total, status as rows_known
    from deals_fed
    union all
    select 'deals' as table_name, 'owner' as field_name, rows_total, owner as rows_known
    from deals_fed
    union all
    select 'deals' as table_name, 'source' as field_name, rows_total, source as rows_known
    from deals_fed
    union all
    select 'deals' as table_name, 'product' as field_name, rows_total, product as rows_known
    from deals_fed
    union all
    select 'deals' as table_name, 'competitor' as field_name, rows_total, competitor as rows_known
    from deals_fed
    union all
    select 'deals' as table_name, 'loss_reason' as field_name, rows_total, loss_reason as rows_known
    from deals_fed
    union all
    select 'accounts' as table_name, 'account_id' as field_name, rows_total, account_id as rows_known
    from accounts_fed
    union all
    select 'accounts' as table_name, 'segment' as field_name, rows_total, segment as rows_known
    from accounts_fed
    union all
    select 'accounts' as table_name, 'industry' as field_name, rows_total, industry as rows_known
    from accounts_fed
    union all
    select 'accounts' as table_name, 'region' as field_name, rows_total, region as rows_known
    from accounts_fed
    union all
    select 'accounts' as table_name, 'owner' as field_name, rows_total, owner as rows_known
    from accounts_fed
    union all
    select 'orders' as table_name, 'account_id' as field_name, rows_total, account_id as rows_known
    from orders_fed
    union all
    select 'orders' as table_name, 'ordered_at' as field_name, rows_total, ordered_at as rows_known
    from orders_fed
    union all
    select 'orders' as table_name, 'amount' as field_name, rows_total, amount as rows_known
    from orders_fed
    union all
    select 'orders' as table_name, 'product' as field_name, rows_total, product as rows_known
    from orders_fed
    union all
    select 'surveys' as table_name, 'score' as field_name, rows_total, score as rows_known
    from surveys_fed
    union all
    select 'surveys' as table_name, 'responded_at' as field_name, rows_total, responded_at as rows_known
    from surveys_fed
    union all
    select 'surveys' as table_name, 'account_id' as field_name, rows_total, account_id as rows_known
    from surveys_fed
    union all
    select 'surveys' as table_name, 'comment' as field_name, rows_total, comment as rows_known
    from surveys_fed
    union all
    select 'activities' as table_name, 'account_id' as field_name, rows_total, account_id as rows_known
    from activities_fed
    union all
    select 'activities' as table_name, 'occurred_at' as field_name, rows_total, occurred_at as rows_known
    from activities_fed
    union all
    select 'activities' as table_name, 'type' as field_name, rows_total, type as rows_known
    from activities_fed
    union all
    select 'activities' as table_name, 'department' as field_name, rows_total, department as rows_known
    from activities_fed
    union all
    select 'activities' as table_name, 'is_personalized' as field_name, rows_total, is_personalized as rows_known
    from activities_fed
    union all
    select 'deal_stage_history' as table_name, 'entered_at' as field_name, rows_total,
        entered_at as rows_known
    from history_fed
),

final as (
    select * from everything
    union all
    select * from fields_fed
    where not account_filter_off($segments, $regions, $owners, $teams)
)

select * from final
order by table_name, field_name
