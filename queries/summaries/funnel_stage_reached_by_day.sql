-- One row per cell of summary_funnel_stage_reached: (pipeline, creation day, step, deal owner,
-- the account's segment, region and number of copies, the account itself when it is loaded
-- twice, status and last_stage_unknown on step 1), with its rows counted and their amounts
-- summed. The funnel's default view (no conversion window; no breakdown, or one by segment,
-- region, owner or creation month) and the pipeline picker read these cells instead of every
-- deal's rows: some 850,000 cells instead of 3.3 million rows at a million deals (issue 18).
-- Every filter the page offers is a column of the grain: the period is in whole days
-- (in_period on created_day selects exactly the rows in_period on created_at does) and the
-- scope macros read only owner, account_copies, segment, region and account_id.
-- Params: none (materialised as summary_funnel_stage_reached_by_day after every load and undo).
-- Built after summary_funnel_stage_reached (summaries are rebuilt in name order).
--   created_day   the creation day (a timestamp at midnight; null when created_at is)
--   status        on step 1 only (the won and lost counts of funnel_by_stage); null on the
--                 other steps, so they split into fewer cells
--   count_rows    rows of summary_funnel_stage_reached in the cell (deals, once per step)
--   amount        their summed amounts (null when none has one, as sum(amount) of the rows)
-- Deals in no pipeline are cells with pipeline and step_number null (funnel_pipelines).
with

reached as (
    select
        pipeline,
        -- A timestamp (at midnight) as created_at is, so in_period compares like with like;
        -- the cast keeps it one without a time zone on Spark too.
        cast(date_trunc('day', created_at) as timestamp) as created_day,
        step_number,
        owner,
        segment,
        region,
        account_copies,
        -- deal_row_in_scope_copies tests the account only when it has several copies.
        case when account_copies > 1 then account_id end as account_id,
        case when step_number = 1 then status end as status,
        last_stage_unknown,
        amount
    from summary_funnel_stage_reached
),

final as (
    select
        pipeline,
        created_day,
        step_number,
        owner,
        segment,
        region,
        account_copies,
        account_id,
        status,
        last_stage_unknown,
        count(*) as count_rows,
        sum(amount) as amount
    from reached
    group by
        pipeline, created_day, step_number, owner, segment, region, account_copies,
        account_id, status, last_stage_unknown
)

-- Sorted by pipeline and day, so a period reads only the row groups it needs.
select * from final
order by pipeline nulls last, created_day, step_number
