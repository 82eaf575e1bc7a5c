-- Relay leadership is a lease on the schema's one relay-state row, not a session lock: a
-- leader renews it before it expires; a leader that dies or whose connection hangs stops
-- renewing, and another relay takes the expired lease. Each take bumps the epoch, the
-- fencing token the leader's "published" marks are checked against.
alter table outbox_relay_state
    add column holder      text,
    add column epoch       bigint not null default 0,
    add column expires_at  timestamptz;

-- Housekeeping rounds (outbox and inbox purges): one replica per round, claimed by time.
create table housekeeping_runs (
    job         text primary key,
    holder      text not null,
    started_at  timestamptz not null
);

-- The inbox is purged past its retention, oldest first, in batches.
create index inbox_processed_at on inbox (processed_at);
