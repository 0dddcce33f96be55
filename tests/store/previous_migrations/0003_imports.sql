-- Import support: who loaded what, saved mapping profiles, and the rows an upsert replaced
-- (kept so that undoing a load restores exactly what was there before it).

alter table loads add column user_name varchar;
alter table loads add column vendor varchar;
alter table loads add column details varchar;  -- JSON: mapping used, formats, warnings

create table import_profiles (
    profile_name      varchar primary key,
    header_signature  varchar not null,
    target_table      varchar not null,
    vendor            varchar,
    mapping_json      varchar not null,
    created_at        timestamp not null
);

-- One archive per canonical table: same columns plus the load that replaced the row.
create table archived_accounts as select *, 0 as replaced_by_load from accounts limit 0;
create table archived_pipeline_stages as
    select *, 0 as replaced_by_load from pipeline_stages limit 0;
create table archived_deals as select *, 0 as replaced_by_load from deals limit 0;
create table archived_deal_stage_history as
    select *, 0 as replaced_by_load from deal_stage_history limit 0;
create table archived_activities as select *, 0 as replaced_by_load from activities limit 0;
create table archived_orders as select *, 0 as replaced_by_load from orders limit 0;
create table archived_surveys as select *, 0 as replaced_by_load from surveys limit 0;
create table archived_tickets as select *, 0 as replaced_by_load from tickets limit 0;
