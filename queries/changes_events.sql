-- One row per (change event, load it covers), newest event first: a load batch (files
-- dropped together, first..last load id) or an undo of one load, as change_events records
-- them (migration 0013); a load made before that, and not in any recorded batch, is a batch
-- of its own. Params: $segments, $regions, $owners, $teams (the reader's grant alone,
-- Filters.scope_params()). Which loads happened and when is structure every reader of the
-- changes needs; who loaded which file, and how many rows, is about the whole data set, so
-- (as in load_history.sql) only a reader who may see everything (all four null) gets it.
with

recorded as (
    select event_id, event, first_load_id, last_load_id
    from change_events
),

older as (
    select
        cast(null as bigint) as event_id, 'load' as event, load_id as first_load_id,
        load_id as last_load_id
    from loads l
    where not exists (
        select 1 from change_events e
        where e.event = 'load' and l.load_id between e.first_load_id and e.last_load_id
    )
),

events as (
    select * from recorded
    union all
    select * from older
),

sees_all as (
    select $segments is null and $regions is null and $owners is null and $teams is null as yes
),

final as (
    select
        e.event_id, e.event, e.first_load_id, e.last_load_id,
        l.load_id,
        case when a.yes then l.file_name end as file_name,
        case when a.yes then l.source end as source,
        case when a.yes then l.user_name end as user_name,
        l.loaded_at, l.undone_at, l.superseded_by, l.is_sample,
        case when a.yes then l.rows_loaded end as rows_loaded,
        case when a.yes then l.table_names end as table_names
    from events e
    cross join sees_all a
    join loads l on l.load_id between e.first_load_id and e.last_load_id
)

select * from final
order by event_id desc nulls last, first_load_id desc, load_id
