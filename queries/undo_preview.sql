-- One row: what undoing a load would do, for the confirmation before and the message after.
-- Rows it holds now (removed by the undo) and archived rows it replaced (restored), over every
-- canonical table. Params: $load_id; $segments, $regions, $owners, $teams (the reader's grant
-- alone, Filters.scope_params()): the counts are about the whole data set, so (as in
-- load_history.sql) only a reader who may see everything gets them; anyone else gets nulls.
with

current_rows as (
    select load_id from accounts
    union all select load_id from pipeline_stages
    union all select load_id from deals
    union all select load_id from deal_stage_history
    union all select load_id from activities
    union all select load_id from orders
    union all select load_id from surveys
    union all select load_id from tickets
    union all select load_id from owners
    union all select load_id from products
),

archived_rows as (
    select replaced_by_load from archived_accounts
    union all select replaced_by_load from archived_pipeline_stages
    union all select replaced_by_load from archived_deals
    union all select replaced_by_load from archived_deal_stage_history
    union all select replaced_by_load from archived_activities
    union all select replaced_by_load from archived_orders
    union all select replaced_by_load from archived_surveys
    union all select replaced_by_load from archived_tickets
    union all select replaced_by_load from archived_owners
    union all select replaced_by_load from archived_products
),

sees_all as (
    select $segments is null and $regions is null and $owners is null and $teams is null as yes
),

final as (
    select
        case when a.yes then (select count(*) from current_rows where load_id = $load_id) end
            as count_rows_removed,
        case
            when a.yes
                then (select count(*) from archived_rows where replaced_by_load = $load_id)
        end as count_rows_restored
    from sees_all a
)

select * from final
