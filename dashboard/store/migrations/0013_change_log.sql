-- What changed since a load (product.md, crm-dashboard changes): what cannot be rebuilt later
-- from the archives is kept when a load or an undo happens.
-- A load's deal changes are read from the archives (archived_deals, replaced_by_load) at any
-- time; an undo deletes the undone load's rows, so its deal changes are kept here. The KPIs
-- just before a load or an undo are kept too (one row per grant), since rebuilding them would
-- mean rebuilding every summary on an older version of the data.

-- change_events and change_undone_deals are exported to Parquet with archived_deals, so the
-- query files that read them run on Spark too.

-- One row per load batch (files dropped together: first..last load id) or undo.
create table change_events (
    event_id       bigint primary key,
    event          varchar not null check (event in ('load', 'undo')),
    first_load_id  integer not null,
    last_load_id   integer not null,  -- when: the loads table's loaded_at and undone_at
    load_id        integer not null   -- = first_load_id: the Parquet export's partition key
);

-- The headline KPIs (dashboard/core/measures.kpis, JSON) just before the event, all time and
-- in the default period of the data as it was (the overview's "last 12 months"), once for
-- everyone and once per manager grant in the roles file at the time. scope_key: the grant's
-- bound filter parameters as JSON (all null = everything).
create table change_kpis (
    event_id        bigint not null,
    scope_key       varchar not null,
    period_start    date,
    period_end      date,
    kpis_all_time   varchar not null,
    kpis_period     varchar not null
);

-- The deals an undo changed: side 'before' = the undone load's row, 'after' = the row the
-- undo brought back (none: the deal went with the undo).
create table change_undone_deals (
    event_id     bigint not null,
    side         varchar not null check (side in ('before', 'after')),
    deal_id      varchar not null,
    account_id   varchar,
    deal_name    varchar,
    pipeline     varchar,
    stage        varchar,
    status       varchar,
    amount       decimal(18, 2),
    currency     varchar,
    created_at   timestamp,
    closed_at    timestamp,
    owner        varchar,
    source       varchar,
    product      varchar,
    competitor   varchar,
    loss_reason  varchar,
    load_id      integer not null  -- the undone load (the Parquet export's partition key)
);
