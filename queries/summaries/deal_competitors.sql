-- One row per (deal, competitor named on it): a cell "Acme; Beta, Gamma" gives three rows.
-- Params: none (materialised as summary_deal_competitors after every load and undo).
-- Names are matched without regard to case or spacing ("acmetrics " is Acmetrics) and shown
-- in their most frequent spelling; placeholders such as "None", "N/A" or "-" name nobody.
with

split as (
    -- unnest stands alone (not inside trim) so the file also runs on Spark (explode).
    select deal_id, unnest(string_split(replace(competitor, ',', ';'), ';')) as part
    from deals
    where competitor is not null
),

named as (
    select deal_id, trim(part) as raw_name from split
),

keyed as (
    select deal_id, raw_name, lower(regexp_replace(raw_name, '\s+', ' ', 'g')) as name_key
    from named
    where raw_name <> ''
        and lower(raw_name) not in ('none', 'n/a', 'na', '-', '--', 'null', 'unknown',
                                    'no competitor', 'no competition')
),

spellings as (
    -- the most frequent spelling of each name; in a tie, one in mixed case ("Acmetrics" over
    -- "ACMETRICS" or "acmetrics"), then the alphabetically first
    select name_key, first(raw_name order by spelling_count desc, is_mixed_case desc, raw_name)
        as competitor
    from (
        select name_key, raw_name, count(*) as spelling_count,
            raw_name <> lower(raw_name) and raw_name <> upper(raw_name) as is_mixed_case
        from keyed
        group by name_key, raw_name
    )
    group by name_key
),

final as (
    select distinct keyed.deal_id, spellings.competitor
    from keyed
    join spellings using (name_key)
)

select * from final
