-- Alerts (crm-dashboard alerts check, and the check after every load): whether each rule is
-- firing, the messages each firing owes, and when the rules were last checked.
--
-- A rule's firing identity (rule_key) is a hash of its definition and of the grant that computed
-- it (dashboard/alerts/rules.py): a changed threshold, period or grant is a new rule. A rule
-- that keeps firing keeps its firing_no and is not sent again; once it clears, the next time
-- it fires is firing_no + 1, sent once more.
create table alert_rule_state (
    rule_key         varchar primary key,
    rule_name        varchar not null,
    owner_name       varchar,
    is_firing        boolean not null,
    firing_no        integer not null,  -- how many times the rule has started firing
    last_value       double,
    fired_at         timestamp,         -- when the current (or last) firing started
    cleared_at       timestamp,
    checked_at       timestamp not null
);

-- One row per message a firing owes: to whom, whether it went, and the last reason it did not.
create table alert_deliveries (
    rule_key         varchar not null,
    firing_no        integer not null,
    recipient        varchar not null,
    is_delivered     boolean not null,
    attempts         integer not null,
    delivered_at     timestamp,
    last_error       varchar,
    primary key (rule_key, firing_no, recipient)
);

-- Every check, with the data version it saw (`alerts check --if-changed` compares with it).
create table alert_checks (
    check_id         integer primary key,
    checked_at       timestamp not null,
    data_version     bigint not null,
    trigger_name     varchar not null,  -- 'cli' or 'after load'
    rules_fired      integer not null
);
