-- A stand-in service's state: one row per effect, so a second effect of one event shows.
create table probe_effects (
    id        bigint generated always as identity primary key,
    event_id  uuid not null,
    key       text not null,
    seq       integer not null
);
