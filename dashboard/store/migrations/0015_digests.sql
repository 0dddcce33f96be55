-- Digests (crm-dashboard digest): one row per digest written, saying what it covered, so the
-- next digest of the same scope can say what changed since, and --if-changed can write nothing
-- when no load or undo happened since (the data version has not moved).
create table digests (
    digest_id     integer primary key,
    scope_key     varchar not null,   -- the grant and the filters' dimensions and period, as JSON
    data_version  bigint not null,    -- warehouse_state.data_version when it was made
    last_load_id  integer,            -- the newest load in effect it covered (null: none)
    period_start  date,
    period_end    date,
    out_format    varchar not null,
    user_name     varchar,
    created_at    timestamp not null
);
