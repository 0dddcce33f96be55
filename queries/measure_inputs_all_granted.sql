-- One row per canonical field a tile, chart or health metric reads, as measure_inputs.sql
-- returns it, for someone granted everything: the per-load counts (summary_measure_inputs),
-- read without planning measure_inputs' scoped counts (about 6 ms of CPU per call, and every
-- page checks its inputs two or three times). No rows for a narrower grant: those run
-- measure_inputs itself (dashboard/core/needs.py picks).
-- Params: $segments, $regions, $owners, $teams: the grant alone (Filters.scope_params).
with

final as (
    select table_name, field_name, rows_total, rows_known
    from summary_measure_inputs
    where account_filter_off($segments, $regions, $owners, $teams)
)

select * from final
order by table_name, field_name
