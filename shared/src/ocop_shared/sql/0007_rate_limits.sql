-- Rate limits (ocop_shared.ratelimit): hits per bucket, key and fixed window, shared by every
-- replica of the service. The key is stored hashed (it may be a client's address).
create table rate_limit_hits (
    bucket        text not null,
    key_hash      bytea not null,
    window_start  timestamptz not null,
    hits          integer not null,
    primary key (bucket, key_hash, window_start)
);
create index rate_limit_hits_window on rate_limit_hits (window_start);
