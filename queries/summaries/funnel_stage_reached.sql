-- One row per (deal, funnel step it reached), plus one row (pipeline null) per deal that no
-- funnel can place: each funnel_* query is one scan of this table, with no join on deal ids.
-- Params: none (materialised as summary_funnel_stage_reached after every load and undo).
-- Built from summary_funnel_stage_entries (its "reached" rule and edge cases): a deal has a row
-- for every step up to its furthest evidence (a later step implies the earlier ones, so a
-- skipped step has a row too; a deal that went back still has one row per step).
--   days_to_reach       days from creation to the first evidence of this step or a later one;
--                       within a conversion window of W days the step counts when this is
--                       <= W (null: undated evidence only, never within a window). Step 1
--                       always counts.
--   has_next            the deal reached the next step (no window)
--   next_days_to_reach  days_to_reach of the next step: with a window, a deal stopped at a
--                       step when it reached it and next_days_to_reach is not <= W
--   first_entered_at    first dated entry into the step (null when only inferred)
--   days_in_step        deals with stage history only: from first_entered_at to the first
--                       dated entry into any later step after it (null: never moved on)
--   last_stage_unknown  step-1 row of a lost deal with no evidence past its creation, no
--                       stage history and a current stage that is no step ("Closed Lost"):
--                       the funnel places it at step 1 only, but it may have been lost at any
--                       stage, so it is no leak of step 1 (funnel_by_stage, funnel_dropoff)
-- Deal columns (created_at, owner, account_id, status, amount, source, product, closed_at)
-- are on every row, with the account's segment and region (its latest load's, for the
-- breakdowns) and account_copies (rows of the account in accounts: with exactly one, the
-- segment and region filters can test these columns; with several, the queries ask
-- accounts_in_scope, where an account loaded twice matches if any copy does). What the
-- drop-off list shows of a deal (deal_name, stage, loss_reason, account_name, stage_path) is
-- on its step-1 row only.
-- A deal id loaded twice keeps the multiplicity the funnel queries had when they joined deals
-- to the entries. Sorted by pipeline and creation, so a period reads only the row groups it
-- needs. Built after the entries (summaries are rebuilt in name order).
-- Incremental by deal_id: deals, deal_stage_history, summary_funnel_stage_entries
-- Incremental, why: a deal's rows come from its own rows in deals, its stage history and its
-- Incremental, why: entries (deal_key numbers the entries' deal ids and is not in the output);
-- Incremental, why: rows rebuilt by key are appended out of the sort order until a full build.
-- Pieces need 200 bytes per input row
with

steps as (
    select distinct pipeline, step_number, step_name from summary_funnel_pipeline_steps
),

entries as (
    select deal_key, pipeline, step_number, entered_at, evidence, days_after_created
    from summary_funnel_stage_entries
),

step_evidence as (
    select
        deal_key,
        pipeline,
        step_number,
        min(days_after_created) as min_days,
        min(entered_at) as first_entered_at,
        bool_or(evidence = 'history') as has_history
    from entries
    group by deal_key, pipeline, step_number
),

history_deals as (
    select distinct deal_key, pipeline from step_evidence where has_history
),

dated as (
    select distinct e.deal_key, e.pipeline, e.step_number, e.entered_at
    from entries e
    join history_deals h on h.deal_key = e.deal_key and h.pipeline = e.pipeline
    where e.entered_at is not null
),

moved_on as (
    -- Time in step: until the first dated entry into a later step at or after the first entry.
    select f.deal_key, f.pipeline, f.step_number, min(e.entered_at) as left_at
    from step_evidence f
    join dated e
        on e.deal_key = f.deal_key
        and e.pipeline = f.pipeline
        and e.step_number > f.step_number
        and e.entered_at >= f.first_entered_at
    group by f.deal_key, f.pipeline, f.step_number
),

reached as (
    -- Step k is reached when there is evidence at k or later: one row per (deal, k).
    select
        v.deal_key,
        v.pipeline,
        s.step_number,
        min(v.min_days) as days_to_reach,
        count(*) filter (where v.step_number > s.step_number) > 0 as has_next,
        min(v.min_days) filter (where v.step_number > s.step_number) as next_days_to_reach,
        min(v.first_entered_at) filter (where v.step_number = s.step_number) as first_entered_at
    from step_evidence v
    join steps s on s.pipeline = v.pipeline and s.step_number <= v.step_number
    group by v.deal_key, v.pipeline, s.step_number
),

deal_ids as (
    select distinct deal_id, deal_key from summary_funnel_stage_entries
),

dated_steps as (
    select distinct e.deal_key, e.pipeline, s.step_name as stage, e.entered_at
    from entries e
    join steps s on s.pipeline = e.pipeline and s.step_number = e.step_number
    where e.entered_at is not null
),

lost_rows as (
    -- The lost stage is no step, but its date belongs in the story of the deal.
    select distinct k.deal_key, l.pipeline, h.stage, h.entered_at
    from deal_stage_history h
    join deal_ids k on k.deal_id = h.deal_id
    join pipeline_stages l on l.stage = h.stage and l.status = 'lost'
    where h.entered_at is not null
        and exists (
            select 1 from step_evidence v
            where v.deal_key = k.deal_key and v.pipeline = l.pipeline and v.step_number = 1
        )
),

paths as (
    select
        deal_key,
        pipeline,
        -- In (entered_at, stage) order: the list sorted as structs compares field by field.
        -- A sorted list, not string_agg(... order by ...): an ordered aggregate cost about
        -- twice as much, a third of this summary's build.
        array_to_string(
            list_transform(
                list_sort(list(struct_pack(entered_at := entered_at, stage := stage))),
                lambda x: x.stage || ' ' || strftime(x.entered_at, '%Y-%m-%d')
            ),
            ' → '
        ) as stage_path
    from (select * from dated_steps union all select * from lost_rows)
    group by deal_key, pipeline
),

account_attributes as (
    select
        account_id,
        arg_max(account_name, load_id) as account_name,
        arg_max(segment, load_id) as segment,
        arg_max(region, load_id) as region,
        count(*) as account_copies
    from accounts
    group by account_id
),

placed as (
    select r.*, k.deal_id, m.left_at
    from reached r
    join deal_ids k on k.deal_key = r.deal_key
    left join moved_on m
        on m.deal_key = r.deal_key
        and m.pipeline = r.pipeline
        and m.step_number = r.step_number
),

final as (
    select
        r.pipeline,
        d.created_at,
        cast(r.step_number as integer) as step_number,
        d.deal_id,
        d.account_id,
        a.segment,
        a.region,
        cast(coalesce(a.account_copies, 0) as integer) as account_copies,
        d.owner,
        d.source,
        d.product,
        d.status,
        d.amount,
        d.closed_at,
        r.days_to_reach,
        r.has_next,
        r.next_days_to_reach,
        r.first_entered_at,
        date_diff('second', r.first_entered_at, r.left_at) / 86400.0 as days_in_step,
        case when r.step_number = 1 then d.deal_name end as deal_name,
        case when r.step_number = 1 then d.stage end as stage,
        case when r.step_number = 1 then d.loss_reason end as loss_reason,
        case when r.step_number = 1 then a.account_name end as account_name,
        case when r.step_number = 1 then p.stage_path end as stage_path,
        coalesce(
            r.step_number = 1 and d.status = 'lost' and not r.has_next
                and cs.stage is null and hd.deal_id is null,
            false
        ) as last_stage_unknown
    from deals d
    left join placed r on r.deal_id = d.deal_id
    left join account_attributes a on a.account_id = d.account_id
    left join paths p
        on r.step_number = 1 and p.deal_key = r.deal_key and p.pipeline = r.pipeline
    left join (select distinct pipeline, stage from summary_funnel_pipeline_steps) cs
        on r.step_number = 1 and cs.pipeline = r.pipeline and cs.stage = d.stage
    left join (select distinct deal_id from deal_stage_history) hd
        on r.step_number = 1 and hd.deal_id = d.deal_id
)

select * from final
order by pipeline nulls last, created_at, deal_id, step_number
