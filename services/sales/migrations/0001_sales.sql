-- Sales: a projection of fairs, booths and approved products (from events), and the tills.

create table fairs (
    fair_id       uuid primary key,
    organizer_id  text not null,
    name          text not null,
    province      text not null,
    status        text not null,
    starts_at     timestamptz not null,
    ends_at       timestamptz not null
);

-- Which exhibitor holds which booth now (assigned or confirmed), from booths' events.
create table booth_holders (
    booth_id      uuid primary key,
    fair_id       uuid not null,
    booth_code    text not null,
    exhibitor_id  uuid not null,
    status        text not null
);
create index booth_holders_fair on booth_holders (fair_id, exhibitor_id);

create table exhibitors (
    exhibitor_id  uuid primary key,
    name          text not null,
    kind          text not null,
    province      text not null
);

-- Products each exhibitor was approved to sell at a fair, with their producer.
create table catalog (
    fair_id          uuid not null,
    exhibitor_id     uuid not null,
    product_id       uuid not null,
    producer_id      uuid not null,
    name             text not null,
    gtin             text,
    product_group    integer not null,
    star             integer not null,
    list_price_vnd   bigint not null,
    blocked_at       timestamptz,
    blocked_reason   text,
    withdrawn        boolean not null default false,
    primary key (fair_id, exhibitor_id, product_id)
);
create index catalog_product on catalog (product_id);

-- When a product's certificate stopped admitting it, for every fair (arrives independently).
create table product_blocks (
    product_id  uuid primary key,
    blocked_at  timestamptz not null,
    reason      text not null
);

create table terminals (
    terminal_id     uuid primary key,
    fair_id         uuid not null references fairs,
    booth_id        uuid not null,
    label           text not null,
    status          text not null default 'active' check (status in ('active', 'suspended')),
    next_receipt_no integer not null default 1,
    enrolled_by     text not null,
    created_at      timestamptz not null default now()
);

create table sessions (
    session_id       uuid primary key,
    terminal_id      uuid not null references terminals,
    opened_at        timestamptz not null default now(),
    opening_cash_vnd bigint not null,
    closed_at        timestamptz,
    counted_cash_vnd bigint,
    z_report         jsonb
);
create unique index sessions_one_open on sessions (terminal_id) where closed_at is null;

create table sales (
    sale_id        uuid primary key,
    fair_id        uuid not null,
    terminal_id    uuid not null references terminals,
    booth_id       uuid not null,
    exhibitor_id   uuid not null,
    receipt_no     integer not null,
    device_time    timestamptz not null,
    business_date  date not null,
    total_vnd      bigint not null check (total_vnd >= 0),
    payments       jsonb not null,
    payload_hash   bytea not null,
    offline        boolean not null,
    recorded_at    timestamptz not null default now(),
    unique (terminal_id, receipt_no)
);
create index sales_fair on sales (fair_id, business_date);

create table sale_lines (
    sale_id         uuid not null references sales,
    line_no         integer not null,
    product_id      uuid not null,
    producer_id     uuid not null,
    quantity        integer not null check (quantity > 0),
    unit_price_vnd  bigint not null check (unit_price_vnd >= 0),
    discount_vnd    bigint not null check (discount_vnd >= 0),
    total_vnd       bigint not null check (total_vnd >= 0),
    product_group   integer not null,
    star            integer not null,
    primary key (sale_id, line_no)
);

create table refunds (
    refund_id     uuid primary key,
    sale_id       uuid not null references sales,
    terminal_id   uuid not null,
    total_vnd     bigint not null check (total_vnd > 0),
    method        text not null,
    reason        text not null,
    payload_hash  bytea not null,
    recorded_at   timestamptz not null default now()
);
create index refunds_sale on refunds (sale_id);

create table refund_lines (
    refund_id  uuid not null references refunds,
    sale_id    uuid not null,
    line_no    integer not null,
    quantity   integer not null check (quantity > 0),
    total_vnd  bigint not null check (total_vnd >= 0),
    primary key (refund_id, line_no),
    foreign key (sale_id, line_no) references sale_lines (sale_id, line_no)
);
