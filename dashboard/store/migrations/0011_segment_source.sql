-- Where an account's segment came from: null = the export's own column; otherwise how it was
-- derived (dashboard/ingest/derive.py), e.g. 'derived from employees'. The import check and
-- the sidebar's Segment filter say when segments are derived.
alter table accounts add column segment_source varchar;

-- The archive must keep the canonical columns first and replaced_by_load last: loads archive
-- with `select t.*, $load_id` and undo restores with `select * exclude (replaced_by_load)`,
-- both by position. ALTER ... ADD COLUMN would put the new column after replaced_by_load.
create table archived_accounts_0011 as
    select a.* exclude (replaced_by_load), cast(null as varchar) as segment_source,
        a.replaced_by_load
    from archived_accounts a;
drop table archived_accounts;
alter table archived_accounts_0011 rename to archived_accounts;
