-- One row: whether every load in effect is the sample (the banner above every page says so),
-- and then the sample's accounts and deals (null otherwise: the counts of real data are no
-- part of this answer). The same for everyone, asked before every page: one small query
-- instead of the load history and two counts (issue 18).
-- Params: none.
with

in_effect as (
    select
        count(*) as count_loads,
        count(*) filter (where is_sample) as count_sample_loads
    from loads
    where undone_at is null
),

final as (
    select
        count_loads > 0 and count_sample_loads = count_loads as is_sample_only,
        case when count_loads > 0 and count_sample_loads = count_loads
            then (select count(*) from accounts) end as count_accounts,
        case when count_loads > 0 and count_sample_loads = count_loads
            then (select count(*) from deals) end as count_deals
    from in_effect
)

select * from final
