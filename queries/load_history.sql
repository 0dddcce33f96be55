-- One row per load (upload batch, the sample, a test's rows), newest first: what the import
-- page's history, `crm-dashboard loads` and the sample banner read.
-- Params: $include_undone (true = every load, undone ones too; false = the loads in effect),
--         $segments, $regions, $owners, $teams (the reader's grant alone, Filters.scope_params()).
-- The history is about the whole data set (file names, row counts, who loaded), so it has rows
-- only for a reader who may see everything (all four null): analysts and admins, the only
-- people it is shown to; anyone with a narrower grant, or none, gets no row.
with

loads_kept as (
    select *
    from loads
    where ($include_undone or undone_at is null)
      and $segments is null and $regions is null and $owners is null and $teams is null
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
        undone_at,
        superseded_by  -- the remap that replaced this load (it is undone, not gone)
    from loads_kept
)

select * from final
order by load_id desc
