-- One row per (account, day) of touches, plus one per kind beyond the mask's 62 (see
-- health_kinds): what the health page counts touches from instead of 10M activities.
-- Params: none (materialised as summary_health_touch_days after every load).
-- touch_day: the day of occurred_at (null = undated touches); first_at/last_at bound the
--   day's touches, so "a touch at or after 14:05 that day" is last_at >= 14:05.
-- type_mask/department_mask: OR of the kinds' bits (health_kinds); type_extra and
--   department_extra: a kind without a bit, by name (null for every kind with a bit).
-- Touches of an account id not in accounts are left out (no page can place them).
-- Sorted by day, so a window reads only the row groups of its days.
-- Pieces by account_key: summary_health_account_keys
-- Pieces, why: a row is one account's (its touches reach it through its key).
with

keyed as (
    select
        k.account_key,
        cast(t.occurred_at as date) as touch_day,
        t.occurred_at,
        t.is_personalized,
        coalesce(ty.kind_mask, 0) as type_mask,
        case when not ty.is_in_mask then t.type end as type_extra,
        coalesce(de.kind_mask, 0) as department_mask,
        case when not de.is_in_mask then t.department end as department_extra
    from activities as t
    join summary_health_account_keys as k on k.account_id = t.account_id
    left join summary_health_kinds as ty on ty.dimension = 'type' and ty.kind = t.type
    left join summary_health_kinds as de
        on de.dimension = 'department' and de.kind = t.department
),

final as (
    select
        account_key,
        touch_day,
        type_extra,
        department_extra,
        count(*) as touches,
        count(*) filter (where is_personalized) as touches_personalized,
        count(*) filter (where is_personalized is not null) as touches_personalized_known,
        bit_or(type_mask) as type_mask,
        bit_or(department_mask) as department_mask,
        min(occurred_at) as first_at,
        max(occurred_at) as last_at
    from keyed
    group by account_key, touch_day, type_extra, department_extra
)

select * from final order by touch_day, account_key
