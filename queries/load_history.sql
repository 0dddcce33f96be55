-- One row per load (upload batch, the sample, a test's rows), newest first: what the import
-- page's history, `crm-dashboard loads` and the sample banner read.
-- Params: $include_undone (true = every load, undone ones too; false = the loads in effect).
with

loads_kept as (
    select *
    from loads
    where $include_undone or undone_at is null
),

final as (
    select
        load_id,
        source,
        file_name,
        vendor,
        table_names,
        rows_loaded,
        rows_rejected,
        is_sample,
        user_name,
        loaded_at,
        undone_at
    from loads_kept
)

select * from final
order by load_id desc
