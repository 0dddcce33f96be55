-- One row: the distribution-free 95% interval of the median sales cycle (won deals closed in
-- the period with a creation and a close date, as deal_summary.sql's median), from order
-- statistics: with n cycles sorted, the interval runs from the j-th to the k-th, where
-- j = floor(n/2 - z·√n/2) and k = ceil(1 + n/2 + z·√n/2) (the binomial(n, ½) count below the
-- median, normal approximation; n = 100 gives ranks 40 and 61). Null bounds when n is too
-- small for the ranks to fall within 1..n (core/noise.py, median_change, reads them).
-- Params: $start_date, $end_date (inclusive dates, null = open-ended),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = deal owner),
--         $z (1.96 for 95%).
with

cycles as (
    select cycle_days
    from summary_deals_closed
    where is_won
        and cycle_days >= 0
        and in_period(closed_at, $start_date, $end_date)
        and deal_in_scope(owner, account_id, $segments, $regions, $owners, $teams)
),

ranked as (
    select
        cycle_days,
        row_number() over (order by cycle_days) as r,
        count(*) over () as n
    from cycles
),

ranks as (
    select
        any_value(n) as n,
        floor(any_value(n) / 2.0 - $z * sqrt(any_value(n)) / 2) as j,
        ceil(1 + any_value(n) / 2.0 + $z * sqrt(any_value(n)) / 2) as k
    from ranked
),

final as (
    select
        coalesce(any_value(s.n), 0) as deals_won_with_cycle,
        max(r.cycle_days) filter (where r.r = s.j and s.j >= 1) as median_low,
        max(r.cycle_days) filter (where r.r = s.k and s.k <= s.n) as median_high
    from ranks s
    left join ranked r on r.r in (s.j, s.k)
)

select * from final
