-- On-site quality inspection (issue 15): a product suspended at one fair by a province's
-- inspectors is not sold at that fair's tills from the inspection's time; elsewhere nothing
-- changes. One row per fair and product: its newest inspection decision there (by the
-- inspection's time, so an older one delivered late changes nothing): suspended from
-- suspended_at, or lifted (suspended_at null) by a pass. The sale's read and write
-- (adapters/postgres/tills.py) treat suspended_at like the catalog's blocked_at.
create table fair_suspensions (
    fair_id        uuid not null,
    product_id     uuid not null,
    suspended_at   timestamptz,              -- null: on sale at this fair (lifted by a pass)
    decided_at     timestamptz not null,     -- the newest inspection's time
    inspection_id  uuid not null,            -- that inspection (registration's)
    processed_at   timestamptz not null,     -- when sales applied it (the lag is measured)
    primary key (fair_id, product_id)
);
