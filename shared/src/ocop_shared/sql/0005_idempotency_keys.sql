-- Idempotency keys (ocop_shared.idempotency): the first answer to a mutating request, per
-- principal and key, kept 24 h. Neither the key nor the principal is stored in clear (the row
-- is found by a hash of both), and the answer's body is encrypted with a key derived from them.
create table idempotency_keys (
    key_hash      bytea primary key,
    fingerprint   bytea not null,           -- keyed hash of method, path, query and body
    state         text not null check (state in ('in_flight', 'done')),
    owner         uuid not null,            -- the request that holds an in-flight key
    locked_until  timestamptz,              -- its lease; a crashed owner's key is taken over after it
    status        integer,
    headers       jsonb,
    nonce         bytea,
    body          bytea,
    created_at    timestamptz not null default now(),
    expires_at    timestamptz not null
);
create index idempotency_keys_expires_at on idempotency_keys (expires_at);
