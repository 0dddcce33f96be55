-- One row per (deal, competitor named on it): a cell "Acme; Beta, Gamma" gives three rows.
-- Params: none (materialised as summary_deal_competitors after every load and undo).
with

named as (
    select deal_id, status, unnest(string_split(replace(competitor, ',', ';'), ';')) as raw_name
    from deals
    where competitor is not null
),

final as (
    select distinct deal_id, trim(raw_name) as competitor
    from named
    where trim(raw_name) <> ''
)

select * from final
