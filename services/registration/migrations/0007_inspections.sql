-- On-site quality inspection (issue 15): a province's inspectors record inspections of the
-- products exhibited at the fairs held in their province. Each is kept with its decision (pass,
-- suspend at this fair, refer to the certifying council for revocation) and whether the
-- product is suspended at that fair after it (its newest inspection there decides).
-- inspection_id is the client's: a retry with the same content answers the first recording.
create table inspections (
    inspection_id  uuid primary key,
    fair_id        uuid not null references fairs,
    product_id     uuid not null references products,
    exhibitor_id   uuid not null references exhibitors,
    booth_code     text not null,
    sample         text,
    finding        text not null,
    decision       text not null check (decision in ('pass', 'suspend', 'refer')),
    suspended      boolean not null,
    inspector_id   text not null,
    inspected_by   uuid,
    recorded_at    timestamptz not null,
    content_hash   bytea not null
);
create index inspections_fair on inspections (fair_id, recorded_at);
create index inspections_product on inspections (product_id, recorded_at);
create index inspections_referred on inspections (recorded_at) where decision = 'refer';
