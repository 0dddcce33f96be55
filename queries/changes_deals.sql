-- One row per deal that a load (or loads) or an undo changed, in scope: its row just before
-- and just after (before_* / after_*, null when the deal was not there), and the change kind.
-- Params: $first_load (the loads compared are this one and every later one in effect),
--         $undo_event (a change_events id: the deals that undo changed, kept in
--         change_undone_deals; null = read the loads from the archives),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = deal owner).
-- Loads: the version before $first_load is rebuilt for the deals those loads touched only
-- (never the whole table): rows of earlier loads still current, plus archived rows of earlier
-- loads that a compared load replaced. After = the current rows. A deal is in scope when its
-- row before or after is (a manager sees a deal leave their grant, never other grants' deals).
-- Plain SQL (no `exclude`, `by name` or `qualify`) so that it also runs on Spark.
with

touched as (
    select deal_id from deals
    where $undo_event is null and load_id >= $first_load
    union
    select deal_id from archived_deals
    where $undo_event is null and (load_id >= $first_load or replaced_by_load >= $first_load)
),

before_rows as (
    select
        deal_id, account_id, deal_name, pipeline, stage, status, amount, currency, created_at,
        closed_at, owner, source, product, competitor, loss_reason
    from deals
    where $undo_event is null and load_id < $first_load
        and deal_id in (select deal_id from touched)
    union all
    select
        deal_id, account_id, deal_name, pipeline, stage, status, amount, currency, created_at,
        closed_at, owner, source, product, competitor, loss_reason
    from archived_deals
    where $undo_event is null and load_id < $first_load and replaced_by_load >= $first_load
        and deal_id in (select deal_id from touched)
    union all
    select
        deal_id, account_id, deal_name, pipeline, stage, status, amount, currency, created_at,
        closed_at, owner, source, product, competitor, loss_reason
    from change_undone_deals
    where event_id = $undo_event and side = 'before'
),

after_rows as (
    select
        deal_id, account_id, deal_name, pipeline, stage, status, amount, currency, created_at,
        closed_at, owner, source, product, competitor, loss_reason
    from deals
    where $undo_event is null and deal_id in (select deal_id from touched)
    union all
    select
        deal_id, account_id, deal_name, pipeline, stage, status, amount, currency, created_at,
        closed_at, owner, source, product, competitor, loss_reason
    from change_undone_deals
    where event_id = $undo_event and side = 'after'
),

-- A file may name a deal twice: one row per deal and side (the last stage, then amount).
before_ranked as (
    select *, row_number() over (partition by deal_id order by stage desc, amount desc) as n
    from before_rows
),

after_ranked as (
    select *, row_number() over (partition by deal_id order by stage desc, amount desc) as n
    from after_rows
),

paired as (
    select
        coalesce(a.deal_id, b.deal_id) as deal_id,
        coalesce(a.deal_name, b.deal_name) as deal_name,
        coalesce(a.account_id, b.account_id) as account_id,
        coalesce(a.owner, b.owner) as owner,
        coalesce(a.pipeline, b.pipeline) as pipeline,
        b.deal_id is not null as was_there,
        a.deal_id is not null as is_there,
        b.stage as before_stage,
        a.stage as after_stage,
        b.status as before_status,
        a.status as after_status,
        cast(b.amount as double) as before_amount,
        cast(a.amount as double) as after_amount,
        b.competitor as before_competitor,
        a.competitor as after_competitor,
        b.account_id is distinct from a.account_id
            or b.deal_name is distinct from a.deal_name
            or b.pipeline is distinct from a.pipeline
            or b.stage is distinct from a.stage
            or b.status is distinct from a.status
            or b.amount is distinct from a.amount
            or b.currency is distinct from a.currency
            or b.created_at is distinct from a.created_at
            or b.closed_at is distinct from a.closed_at
            or b.owner is distinct from a.owner
            or b.source is distinct from a.source
            or b.product is distinct from a.product
            or b.competitor is distinct from a.competitor
            or b.loss_reason is distinct from a.loss_reason as is_different,
        b.owner as before_owner,
        b.account_id as before_account_id,
        a.owner as after_owner,
        a.account_id as after_account_id
    from (select * from before_ranked where n = 1) b
    full join (select * from after_ranked where n = 1) a on a.deal_id = b.deal_id
),

final as (
    select
        deal_id, deal_name, account_id, owner, pipeline,
        case
            when not was_there then 'added'
            when not is_there then 'removed'
            when is_different then 'updated'
            else 'unchanged'
        end as change_kind,
        before_stage, after_stage, before_status, after_status,
        before_amount, after_amount, before_competitor, after_competitor
    from paired
    where (is_there and deal_in_scope(after_owner, after_account_id,
                                      $segments, $regions, $owners, $teams))
        or (was_there and deal_in_scope(before_owner, before_account_id,
                                        $segments, $regions, $owners, $teams))
)

select * from final
order by deal_id
