-- One row per (profile, from_day, to_day): how many accounts of a profile
-- (summary_health_profiles) were touched by two or more departments
-- in the 90 days up to and including each day of [from_day, to_day] (the health metric
-- "accounts touched by 2+ departments", for a window ending that day), so the trend reads a
-- count per window end instead of grouping every touch by account.
-- An account has two departments in [a, b] exactly when some touch day x <= b has another
-- department on a day o with a <= o <= x (o = the latest such day): each touch day gives the
-- window ends [x, o + 89]; an account's spans are merged (they overlap) before counting.
-- o is found in the account's (day, department) rows in order: the day of the row before
-- the current run of one department, the latest per day (a day with two departments has o
-- = that day). Params: none (materialised as summary_health_trend_spans;
-- summary_health_window_spans adds them up over profiles).
with

department_days as (
    select distinct k.account_key, cast(t.occurred_at as date) as touch_day, t.department
    from activities as t
    join summary_health_account_keys as k on k.account_id = t.account_id
    where t.department is not null and t.occurred_at is not null
),

stepped as (
    select
        account_key,
        touch_day,
        department,
        lag(department) over by_day as previous_department,
        lag(touch_day) over by_day as previous_day
    from department_days
    window by_day as (partition by account_key order by touch_day, department)
),

other_days as (
    select
        account_key,
        touch_day,
        max(case when previous_department <> department then previous_day end) over (
            partition by account_key order by touch_day, department
            rows between unbounded preceding and current row
        ) as other_day
    from stepped
),

spans as (
    select account_key, touch_day as from_day, max(other_day) + 89 as to_day
    from other_days
    group by account_key, touch_day
    having max(other_day) + 89 >= touch_day
),

islands as (
    select
        account_key,
        from_day,
        to_day,
        coalesce(
            from_day > max(to_day) over (
                partition by account_key order by from_day
                rows between unbounded preceding and 1 preceding
            ),
            true
        ) as starts_island
    from spans
),

numbered as (
    select
        account_key,
        from_day,
        to_day,
        sum(cast(starts_island as integer)) over (
            partition by account_key order by from_day rows unbounded preceding
        ) as island
    from islands
),

merged as (
    select account_key, min(from_day) as from_day, max(to_day) as to_day
    from numbered
    group by account_key, island
),

final as (
    select p.profile, m.from_day, m.to_day, count(*) as accounts
    from merged as m
    join summary_health_profiles as p on p.account_key = m.account_key
    group by p.profile, m.from_day, m.to_day
)

select * from final order by profile, from_day, to_day
