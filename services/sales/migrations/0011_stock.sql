-- Issue 15: stock at the booth, and the fair's kind and consignment rules.

-- The fair's kind and its consignment parts, from registration's fair events (absent in
-- older messages: a fair, no commission, no host retailer, no stores).
alter table fairs add column kind text not null default 'fair';
alter table fairs add column commission_percent integer not null default 0;
alter table fairs add column host_retailer_id uuid;
alter table fairs add column stores jsonb not null default '[]';

-- Per booth and product, what its movements add up to: a product is tracked at a booth once
-- its exhibitor declared what it brings (a row here); untracked products have none. A sale's
-- write moves `sold` and `on_hand` in its own statement (postgres/tills.py), a refund puts
-- its quantity back; `oversold` counts the units sold (offline) while none was on hand.
create table stock_levels (
    fair_id       uuid not null,
    booth_id      uuid not null,
    product_id    uuid not null,
    exhibitor_id  uuid not null,
    producer_id   uuid not null,
    received      bigint not null default 0,
    sold          bigint not null default 0,
    returned      bigint not null default 0,
    adjusted      bigint not null default 0,
    oversold      bigint not null default 0,
    on_hand       bigint not null default 0,
    updated_at    timestamptz not null default now(),
    primary key (fair_id, booth_id, product_id)
);

-- Received, returned and adjusted movements (a sale's own movement is its sale's lines),
-- idempotent by the client's movement id.
create table stock_movements (
    movement_id   uuid primary key,
    fair_id       uuid not null,
    booth_id      uuid not null,
    exhibitor_id  uuid not null,
    kind          text not null check (kind in ('received', 'returned', 'adjusted')),
    reason        text,
    payload_hash  bytea not null,
    recorded_by   text not null,
    recorded_at   timestamptz not null default now()
);
create index stock_movements_fair on stock_movements (fair_id, recorded_at);

create table stock_movement_lines (
    movement_id  uuid not null references stock_movements,
    line_no      integer not null,
    product_id   uuid not null,
    producer_id  uuid not null,
    quantity     integer not null check (quantity <> 0),
    primary key (movement_id, line_no)
);

-- Raised inside a sale's write when an online sale would take a tracked product below zero
-- (another till of the booth sold it since the read): the statement rolls back and the sale
-- is read and judged again (then refused, 409 out_of_stock).
create function stock_short(product uuid, left_on_hand bigint) returns boolean
    language plpgsql volatile as $$
begin
    raise exception 'stock_short: product % would have % on hand', product, left_on_hand
        using errcode = 'check_violation';
end $$;
