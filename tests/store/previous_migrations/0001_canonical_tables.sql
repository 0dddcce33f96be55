-- The canonical tables of product.md, plus load history and the data version.
-- Every canonical row records the load (upload batch) it came from in load_id.

create table loads (
    load_id        integer primary key,
    source         varchar not null,          -- 'sample', 'import', ...
    file_name      varchar,
    checksum       varchar,
    table_names    varchar[],
    rows_loaded    bigint not null default 0,
    rows_rejected  bigint not null default 0,
    is_sample      boolean not null default false,
    loaded_at      timestamp not null,
    undone_at      timestamp
);
create sequence load_id_seq start 1;

-- One row: bumped in the same transaction as every load or undo, so caches keyed by it
-- never serve numbers from before a change.
create table warehouse_state (
    singleton     boolean primary key default true check (singleton),
    data_version  bigint not null
);
insert into warehouse_state values (true, 0);

create table accounts (
    account_id       varchar not null,
    account_name     varchar,
    segment          varchar,
    industry         varchar,
    region           varchar,
    country          varchar,
    employees        integer,
    annual_revenue   decimal(18, 2),
    owner            varchar,
    created_at       timestamp,
    load_id          integer not null
);

-- Stage order and meaning per pipeline: the funnel walks stages in stage_order.
create table pipeline_stages (
    pipeline      varchar not null,
    stage         varchar not null,
    stage_order   integer not null,
    status        varchar not null check (status in ('open', 'won', 'lost')),
    probability   double,
    load_id       integer not null
);

create table deals (
    deal_id      varchar not null,
    account_id   varchar,
    deal_name    varchar,
    pipeline     varchar,
    stage        varchar,
    status       varchar not null check (status in ('open', 'won', 'lost')),
    amount       decimal(18, 2),
    currency     varchar,
    created_at   timestamp,
    closed_at    timestamp,
    owner        varchar,
    source       varchar,
    product      varchar,
    competitor   varchar,
    loss_reason  varchar,
    load_id      integer not null
);

create table deal_stage_history (
    deal_id     varchar not null,
    stage       varchar not null,
    entered_at  timestamp,
    load_id     integer not null
);

create table activities (
    activity_id      varchar not null,
    account_id       varchar,
    deal_id          varchar,
    type             varchar,
    direction        varchar,
    department       varchar,
    occurred_at      timestamp,
    owner            varchar,
    is_personalized  boolean,
    load_id          integer not null
);

create table orders (
    order_id    varchar not null,
    account_id  varchar,
    ordered_at  timestamp,
    amount      decimal(18, 2),
    product     varchar,
    quantity    double,
    load_id     integer not null
);

create table surveys (
    response_id   varchar not null,
    account_id    varchar,
    responded_at  timestamp,
    survey_type   varchar not null check (survey_type in ('nps', 'csat', 'ces')),
    score         double,
    comment       varchar,
    channel       varchar,
    load_id       integer not null
);

create table tickets (
    ticket_id          varchar not null,
    account_id         varchar,
    opened_at          timestamp,
    first_response_at  timestamp,
    resolved_at        timestamp,
    channel            varchar,
    priority           varchar,
    load_id            integer not null
);
