-- Optional reference tables of product.md: who owns deals and accounts (owners: a users or
-- sales-teams export; the team is what the Team filter keeps) and product attributes (a
-- products or price-list export). One row per owner / product: a later load replaces the
-- earlier row of the same key (warehouse.REPLACE_KEYS), archived so undo restores it.
-- Every canonical row records the load it came from in load_id.

create table owners (
    owner    varchar not null,
    team     varchar,
    manager  varchar,
    region   varchar,
    load_id  integer not null
);

create table products (
    product     varchar not null,
    series      varchar,
    list_price  decimal(18, 2),
    load_id     integer not null
);

create table archived_owners as select *, 0 as replaced_by_load from owners limit 0;
create table archived_products as select *, 0 as replaced_by_load from products limit 0;
