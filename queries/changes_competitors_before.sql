-- One row per competitor name (lower case, spaces folded) named on a deal in scope that the
-- change left as it was: with the rows the change replaced, the names known before it.
-- Params: $first_load (loads: deals of earlier loads still current are untouched),
--         $undo_event (an undo: current deals other than those it changed; null = a load),
--         $segments, $regions, $owners, $teams (lists, null = all; owner = deal owner).
with

untouched as (
    select deal_id, owner, account_id
    from deals
    where case
        when $undo_event is null then load_id < $first_load
        else deal_id not in (
            select deal_id from change_undone_deals where event_id = $undo_event
        )
    end
),

final as (
    select distinct lower(regexp_replace(c.competitor, '\s+', ' ', 'g')) as name_key
    from summary_deal_competitors c
    join untouched d using (deal_id)
    where deal_in_scope(d.owner, d.account_id, $segments, $regions, $owners, $teams)
)

select * from final
order by name_key
