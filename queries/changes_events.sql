-- One row per (change event, load it covers), newest event first: a load batch (files
-- dropped together, first..last load id) or an undo of one load, as change_events records
-- them (migration 0013); a load made before that, and not in any recorded batch, is a batch
-- of its own. Params: none.
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

final as (
    select
        e.event_id, e.event, e.first_load_id, e.last_load_id,
        l.load_id, l.file_name, l.source, l.user_name, l.loaded_at, l.undone_at,
        l.superseded_by, l.is_sample, l.rows_loaded, l.table_names
    from events e
    join loads l on l.load_id between e.first_load_id and e.last_load_id
)

select * from final
order by event_id desc nulls last, first_load_id desc, load_id
