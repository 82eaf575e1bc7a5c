-- Registration: organizers, fairs, exhibitors, products, certificates, applications.

create table organizers (
    organizer_id  text primary key,
    name          text not null,
    created_at    timestamptz not null default now()
);

create table fairs (
    fair_id                uuid primary key,
    organizer_id           text not null references organizers,
    name                   text not null,
    kind                   text not null check (kind in ('fair', 'exhibition', 'promotion_week', 'showroom')),
    venue                  text not null,
    province               text not null,
    starts_at              timestamptz not null,
    ends_at                timestamptz not null,
    applications_open_at   timestamptz not null,
    applications_close_at  timestamptz not null,
    rules                  jsonb not null,
    status                 text not null default 'draft'
                           check (status in ('draft', 'open', 'closed', 'running', 'finished')),
    created_at             timestamptz not null default now(),
    updated_at             timestamptz not null default now(),
    check (ends_at > starts_at)
);
create index fairs_organizer on fairs (organizer_id);

create table exhibitors (
    exhibitor_id  uuid primary key,
    kind          text not null check (kind in ('cooperative', 'enterprise', 'cooperative_group',
                                                'household_business', 'delegation')),
    name          text not null,
    name_folded   text not null,
    tax_code      text unique,
    province      text not null,
    commune       text,
    address       text not null default '',
    phone         text,
    email         text,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now()
);
create index exhibitors_name_folded on exhibitors (name_folded text_pattern_ops);

create table delegation_members (
    delegation_id  uuid not null references exhibitors,
    member_id      uuid not null references exhibitors,
    primary key (delegation_id, member_id)
);

create table products (
    product_id        uuid primary key,
    holder_id         uuid not null references exhibitors,
    name              text not null,
    name_folded       text not null,
    taxonomy          text not null,
    product_group     integer not null,
    gtin              text unique,
    gtin_vietnamese   boolean,
    unit              text not null,
    list_price_vnd    bigint not null check (list_price_vnd >= 0),
    traceability_url  text,
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now()
);
create index products_holder on products (holder_id);

create table certificates (
    certificate_id       uuid primary key,
    product_id           uuid not null references products,
    number               text not null unique,
    star                 integer not null check (star between 3 and 5),
    issuing_level        text not null,
    issuing_body         text not null,
    decision_number      text not null,
    decision_date        date not null,
    valid_from           date not null,
    valid_to             date not null,
    revoked_at           timestamptz,
    revocation_decision  text,
    revocation_reason    text,
    expiring_announced   boolean not null default false,
    expired_announced    boolean not null default false,
    created_at           timestamptz not null default now(),
    check (valid_to > valid_from)
);
create index certificates_product on certificates (product_id, valid_from desc);
create index certificates_to_announce on certificates (valid_to)
    where revoked_at is null and not expired_announced;

create table applications (
    application_id  uuid primary key,
    fair_id         uuid not null references fairs,
    exhibitor_id    uuid not null references exhibitors,
    booth_request   jsonb not null,
    best_star       integer not null,
    status          text not null default 'submitted'
                    check (status in ('submitted', 'approved', 'rejected', 'waitlisted', 'withdrawn')),
    submitted_at    timestamptz not null default now(),
    reviewed_by     text,
    reviewed_at     timestamptz,
    reason          text
);
-- One live application per exhibitor and fair.
create unique index applications_one_live on applications (fair_id, exhibitor_id)
    where status in ('submitted', 'approved', 'waitlisted');
create index applications_exhibitor on applications (exhibitor_id);

create table application_products (
    application_id  uuid not null references applications,
    product_id      uuid not null references products,
    position        integer not null,
    primary key (application_id, product_id)
);

-- Each holder's results at past fairs, kept from the sales service's events.
create table holder_results (
    fair_id        uuid not null,
    holder_id      uuid not null,
    sales          integer not null default 0,
    gross_vnd      bigint not null default 0,
    refunded_vnd   bigint not null default 0,
    primary key (fair_id, holder_id)
);
