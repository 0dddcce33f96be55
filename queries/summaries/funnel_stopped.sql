-- One row per row of summary_funnel_stage_reached where a deal stopped, with no conversion
-- window: the furthest step it reached in its pipeline (has_next false), with the columns the
-- drop-off list and its caption read, and list_key, the list's order in one column.
-- funnel_dropoff_from_stopped.sql reads it: sorted by pipeline, step and list_key, a list's
-- first rows come from a row group or two (DuckDB's top-N skips the row groups whose keys
-- cannot make the list) instead of a scan of every step of every deal of the period, and the
-- caption's counts read one step's rows (issue 18).
-- Params: none (materialised as summary_funnel_stopped after every load and undo). Built after
-- summary_funnel_stage_reached (summaries are rebuilt in name order).
--   list_key   orders as funnel_dropoff.sql's `status = 'open', amount desc nulls last` (then
--              deal_id): lost (any status but open) before open before no status, each block
--              by amount from the largest, amounts unknown last. Exact decimals: an amount
--              (DECIMAL(18,2)) is below 10^16 in size, so the blocks never overlap.
-- Incremental by deal_id: summary_funnel_stage_reached
-- Incremental, why: a row is one row of summary_funnel_stage_reached, keyed by its deal_id;
-- Incremental, why: rows rebuilt by key are appended out of the sort order until a full build.
with

stopped as (
    select
        pipeline,
        step_number,
        created_at,
        deal_id,
        account_id,
        segment,
        region,
        account_copies,
        owner,
        status,
        amount,
        closed_at,
        first_entered_at,
        last_stage_unknown
    from summary_funnel_stage_reached
    where pipeline is not null and not coalesce(has_next, false)
),

final as (
    select
        *,
        case
            when status = 'open' then cast('100000000000000000' as decimal(38, 2))
            when status is null then cast('200000000000000000' as decimal(38, 2))
            else cast('0' as decimal(38, 2))
        end
        + case
            when amount is null then cast('30000000000000000' as decimal(38, 2))
            else cast('10000000000000000' as decimal(38, 2)) - amount
        end as list_key
    from stopped
)

select * from final
order by pipeline, step_number, list_key
