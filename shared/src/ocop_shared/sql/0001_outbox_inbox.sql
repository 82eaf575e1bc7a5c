-- Shared plumbing, created in every service's own schema (search_path points there).

-- Transactional outbox: written in the same transaction as the state change it announces.
create table outbox (
    id              bigint generated always as identity primary key,
    event_id        uuid not null unique,
    topic           text not null,
    key             text not null,
    event_type      text not null,
    event_version   integer not null,
    correlation_id  text not null,
    value           bytea not null,
    created_at      timestamptz not null default now(),
    published_at    timestamptz
);
create index outbox_unpublished on outbox (id) where published_at is null;
create index outbox_published_at on outbox (published_at) where published_at is not null;

-- Wakes the relay as soon as a transaction that wrote events commits (NOTIFY is transactional).
create function outbox_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify(tg_table_schema || '_outbox', '');
    return null;
end $$;
create trigger outbox_notify after insert on outbox
    for each statement execute function outbox_notify();

-- Idempotent consumer: one row per (consumer, event) processed, in the handler's transaction.
create table inbox (
    consumer      text not null,
    event_id      uuid not null,
    processed_at  timestamptz not null default now(),
    primary key (consumer, event_id)
);

-- Messages that can never be processed, kept with the reason; the partition moves on.
create table dead_letters (
    id          bigint generated always as identity primary key,
    consumer    text not null,
    topic       text not null,
    partition   integer not null,
    "offset"    bigint not null,
    key         text,
    value       bytea,
    reason      text not null,
    created_at  timestamptz not null default now(),
    unique (consumer, topic, partition, "offset")
);

-- API tokens: only a SHA-256 of each token is kept (tokens are 256-bit random, so no KDF).
create table api_tokens (
    token_hash  bytea primary key,
    role        text not null,
    subject     text not null,
    label       text not null default '',
    created_at  timestamptz not null default now(),
    revoked_at  timestamptz
);
