-- One row per open step: funnel_time_in_stage for the page's default view, read from its
-- summary (queries/summaries/view_funnel_time_in_stage.sql: the last 12 months of data, no
-- filter, no grant, the pipeline the page opens on). No row unless the period and pipeline
-- asked are the ones the summary holds and no filter or grant is set (a grant, even an empty
-- one, sees nothing here); data.time_in_stage then runs funnel_time_in_stage itself.
-- Params: $start_date, $end_date (the period asked), $segments, $regions, $owners, $teams
--         (lists, null = all: rows only when all four are null), $pipeline.
with

final as (
    select * exclude (pipeline, window_start, window_end)
    from summary_view_funnel_time_in_stage
    where pipeline = $pipeline
        and window_start = cast($start_date as date)
        and window_end = cast($end_date as date)
        and account_filter_off($segments, $regions, $owners, $teams)
)

select * from final order by step_number
