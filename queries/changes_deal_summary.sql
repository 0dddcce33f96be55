-- One row per item of what the "what changed" panel shows of the deals a load (or loads) or
-- an undo changed, counted here so that tens of rows reach Python, not one per deal (a
-- million-deal load fetched a million rows into pandas: 4-6 s of CPU, 1.5 GB of peak RSS).
-- The deals counted are changes_deals' rows (one per deal, in scope). Items (`part`):
--   'count': name added | updated | removed (deals of that change kind), or won | lost |
--            reopened (updated deals whose status became won, lost, or open from won or
--            lost); `deals` = how many;
--   'stage_move': an updated deal's stage change, before_stage -> after_stage (a missing
--            stage is one value of its own), `deals` = how many; most deals first, then by
--            from and to (missing last);
--   'mover': the $movers deals whose amount moved most (added: its amount, removed: minus
--            it; a deal whose amount is missing on a side it was there is not a mover, nor is
--            a change of 0), largest move first, then by deal_id;
--   'before_competitor' / 'after_competitor': each distinct competitor cell on that side of
--            any of the deals, in the order of the first deal (by deal_id) naming it.
-- `position` orders the rows within a part (1, 2, ...). The last CTE is `parts`, not `final`:
-- changes_deals' own `final` comes in with it, and Spark refuses two CTEs of one name.
-- Params: $first_load, $undo_event, $segments, $regions, $owners, $teams (as changes_deals),
--         $movers (how many movers).
with

changed as (
    {{ query('changes_deals') }}
),

updated as (
    select * from changed where change_kind = 'updated'
),

counts as (
    select
        count(case when change_kind = 'added' then 1 end) as added,
        count(case when change_kind = 'updated' then 1 end) as updated,
        count(case when change_kind = 'removed' then 1 end) as removed,
        count(case when change_kind = 'updated' and after_status = 'won'
            and before_status is distinct from 'won' then 1 end) as won,
        count(case when change_kind = 'updated' and after_status = 'lost'
            and before_status is distinct from 'lost' then 1 end) as lost,
        count(case when change_kind = 'updated' and after_status = 'open'
            and before_status in ('won', 'lost') then 1 end) as reopened
    from changed
),

count_rows as (
    select 'added' as name, added as deals, 1 as position from counts
    union all select 'updated', updated, 2 from counts
    union all select 'removed', removed, 3 from counts
    union all select 'won', won, 4 from counts
    union all select 'lost', lost, 5 from counts
    union all select 'reopened', reopened, 6 from counts
),

stage_moves as (
    select before_stage, after_stage, count(*) as deals
    from updated
    where before_stage is distinct from after_stage
    group by before_stage, after_stage
),

moves as (
    select
        before_stage, after_stage, deals,
        row_number() over (
            order by deals desc, before_stage asc nulls last, after_stage asc nulls last
        ) as position
    from stage_moves
),

amount_moves as (
    select
        deal_id, deal_name, owner, change_kind, before_amount, after_amount,
        coalesce(after_amount, 0) - coalesce(before_amount, 0) as amount_change
    from changed
    where change_kind <> 'unchanged'
        and not (change_kind = 'updated' and (before_amount is null or after_amount is null))
        and not (change_kind = 'added' and after_amount is null)
        and not (change_kind = 'removed' and before_amount is null)
),

movers as (
    select
        *,
        row_number() over (order by abs(amount_change) desc, deal_id asc) as position
    from amount_moves
    where amount_change <> 0
),

competitor_cells as (
    select 'before_competitor' as part, before_competitor as cell, min(deal_id) as first_deal
    from changed
    where before_competitor is not null
    group by before_competitor
    union all
    select 'after_competitor', after_competitor, min(deal_id)
    from changed
    where after_competitor is not null
    group by after_competitor
),

competitors as (
    select
        part, cell,
        row_number() over (partition by part order by first_deal asc) as position
    from competitor_cells
),

parts as (
    select
        'count' as part, position, name, deals,
        cast(null as varchar) as before_stage, cast(null as varchar) as after_stage,
        cast(null as varchar) as deal_id, cast(null as varchar) as deal_name,
        cast(null as varchar) as owner, cast(null as varchar) as change_kind,
        cast(null as double) as before_amount, cast(null as double) as after_amount,
        cast(null as double) as amount_change, cast(null as varchar) as cell
    from count_rows
    union all
    select
        'stage_move', position, null, deals, before_stage, after_stage,
        null, null, null, null, null, null, null, null
    from moves
    union all
    select
        'mover', position, null, null, null, null,
        deal_id, deal_name, owner, change_kind, before_amount, after_amount, amount_change, null
    from movers
    where position <= $movers
    union all
    select
        part, position, null, null, null, null,
        null, null, null, null, null, null, null, cell
    from competitors
)

select * from parts
order by part, position
