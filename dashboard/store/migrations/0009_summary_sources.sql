-- What each summary table was built from (dashboard/store/summaries.py): the hash of its
-- queries/summaries file, so a database opened by a newer version rebuilds the summaries whose
-- SQL changed. Databases made before this migration have the table already (the summaries
-- created it on first use): hence `if not exists`.
create table if not exists summary_sources (
    name      varchar primary key,
    sql_hash  varchar not null
);
