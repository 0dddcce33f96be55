-- One row per touch type and per department seen on activities: the bit each stands for in
-- the touch summary's masks (the distinct channels and departments of an account in a window
-- are then the bits of an OR). Only 62 bits fit a BIGINT: kinds beyond the 62nd (in name
-- order) have no bit and are carried by name instead (is_in_mask false), so the counts stay
-- exact for any number of kinds. Params: none (materialised as summary_health_kinds).
with

kinds as (
    select 'type' as dimension, type as kind
    from activities
    where type is not null
    group by type
    union all
    select 'department', department
    from activities
    where department is not null
    group by department
),

ranked as (
    select dimension, kind, row_number() over (partition by dimension order by kind) - 1 as kind_bit
    from kinds
),

final as (
    select
        dimension,
        kind,
        kind_bit < 62 as is_in_mask,
        case when kind_bit < 62 then cast(1 as bigint) << cast(kind_bit as integer) end
            as kind_mask
    from ranked
)

select * from final
