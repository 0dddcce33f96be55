-- What the drop-off list shows of each deal that stopped (summary_funnel_stopped): one row per
-- (row of summary_funnel_stopped, step-1 row of summary_funnel_stage_reached with its deal id
-- and pipeline), with that step-1 row's creation date, name, account, stage, loss reason and
-- stage path. funnel_dropoff.sql joins a deal's list row to these step-1 rows by deal id; a
-- deal id loaded twice joins each copy, and so does this table. Sorted by the stopped row's
-- pipeline, step and list_key, so the list's few rows find theirs in a row group or two.
-- Params: none (materialised as summary_funnel_stopped_shown after every load and undo). Built
-- after summary_funnel_stopped (summaries are rebuilt in name order).
-- Incremental by deal_id: summary_funnel_stage_reached, summary_funnel_stopped
-- Incremental, why: a row joins rows with one deal_id in both inputs;
-- Incremental, why: rows rebuilt by key are appended out of the sort order until a full build.
with

stopped as (
    select distinct pipeline, step_number, list_key, deal_id
    from summary_funnel_stopped
),

first_steps as (
    select
        pipeline,
        deal_id,
        created_at,
        deal_name,
        account_id,
        account_name,
        stage,
        loss_reason,
        stage_path
    from summary_funnel_stage_reached
    where step_number = 1
),

final as (
    select
        s.pipeline,
        s.step_number,
        s.list_key,
        s.deal_id,
        f.created_at,
        f.deal_name,
        f.account_id,
        f.account_name,
        f.stage,
        f.loss_reason,
        f.stage_path
    from stopped s
    join first_steps f on f.deal_id = s.deal_id and f.pipeline = s.pipeline
)

select * from final
order by pipeline, step_number, list_key
