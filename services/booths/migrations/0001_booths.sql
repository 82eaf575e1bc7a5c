-- Booths: floor plans, who occupies which booth, the waitlist, allocation runs, payments.

create table fairs (
    fair_id       uuid primary key,
    organizer_id  text not null,
    name          text not null,
    status        text not null,
    starts_at     timestamptz not null,
    ends_at       timestamptz not null,
    rules         jsonb not null
);

-- Approved (or waitlisted) applications, from registration's events.
create table applications (
    application_id  uuid primary key,
    fair_id         uuid not null,
    exhibitor_id    uuid not null,
    exhibitor_name  text not null,
    exhibitor_kind  text not null,
    province        text not null,
    booth_request   jsonb not null,
    best_star       integer not null,
    submitted_at    timestamptz not null,
    status          text not null,
    product_groups  integer[] not null
);
create index applications_fair on applications (fair_id, status);

-- Products each application shows, so a revocation can tell if anything admitted is left.
create table application_products (
    application_id  uuid not null references applications,
    product_id      uuid not null,
    admitted        boolean not null default true,
    primary key (application_id, product_id)
);
create index application_products_product on application_products (product_id);

create table zones (
    fair_id         uuid not null,
    code            text not null,
    name            text not null,
    kind            text not null,
    product_groups  integer[] not null default '{}',
    primary key (fair_id, code)
);

create table booths (
    booth_id    uuid primary key,
    fair_id     uuid not null,
    code        text not null,
    zone        text not null,
    booth_type  text not null check (booth_type in ('standard', 'corner', 'premium', 'outdoor')),
    width_m     numeric(6, 2) not null check (width_m > 0),
    depth_m     numeric(6, 2) not null check (depth_m > 0),
    price_vnd   bigint not null check (price_vnd >= 0),
    x           numeric(8, 2) not null,
    y           numeric(8, 2) not null,
    open_sides  integer not null default 1,
    blocked     boolean not null default false,
    unique (fair_id, code),
    foreign key (fair_id, zone) references zones (fair_id, code)
);

-- No double booking: a booth has at most one occupant, enforced by the primary key.
create table occupancy (
    booth_id         uuid primary key references booths,
    fair_id          uuid not null,
    exhibitor_id     uuid not null,
    application_id   uuid not null references applications,
    status           text not null check (status in ('held', 'assigned', 'confirmed')),
    hold_expires_at  timestamptz,
    payment_due_at   timestamptz,
    since            timestamptz not null default now(),
    check (status <> 'held' or hold_expires_at is not null)
);
create index occupancy_exhibitor on occupancy (fair_id, exhibitor_id);
create index occupancy_holds on occupancy (hold_expires_at) where status = 'held';
create index occupancy_unpaid on occupancy (payment_due_at) where status = 'assigned';

-- Every change of a booth, with its reason and actor.
create table booth_audit (
    id            bigint generated always as identity primary key,
    fair_id       uuid not null,
    booth_id      uuid not null,
    action        text not null,
    exhibitor_id  uuid,
    actor         text not null,
    reason        text not null,
    at            timestamptz not null default now()
);

create table waitlist (
    fair_id         uuid not null,
    application_id  uuid not null references applications,
    rank            integer not null,
    reason          text not null,
    status          text not null default 'waiting' check (status in ('waiting', 'offered', 'placed', 'left')),
    offered_booth   uuid,
    offered_at      timestamptz,
    primary key (fair_id, application_id)
);

create table allocation_runs (
    run_id        uuid primary key,
    fair_id       uuid not null,
    solver        text not null,
    objective     bigint not null,
    greedy_objective bigint not null,
    seconds       numeric(8, 3) not null,
    proposal      jsonb not null,
    created_by    text not null,
    created_at    timestamptz not null default now(),
    committed_at  timestamptz
);

create table payments (
    payment_id    uuid primary key,
    fair_id       uuid not null,
    exhibitor_id  uuid not null,
    amount_vnd    bigint not null check (amount_vnd > 0),
    reference     text not null,
    source        text not null check (source in ('manual', 'statement')),
    recorded_by   text not null,
    received_at   timestamptz not null default now(),
    unique (fair_id, reference, amount_vnd, source)
);
