-- Fair kinds with their real behaviour (issue 15). A retailer (a supermarket chain hosting
-- promotion weeks) is an organization the platform admin creates, its id a UUID; its owner
-- keeps its stores. A promotion week names its host retailer and the stores taking part (each
-- kept with its name as when the fair named it); a showroom is open-ended (its ends_at is a far
-- date: 2100-12-31 23:59:59 in Viet Nam) with weekly opening hours. The consignment commission
-- is one of the fair's rules (the rules JSON).
alter table organizations drop constraint organizations_kind_check;
alter table organizations add constraint organizations_kind_check
    check (kind in ('holder', 'delegation', 'organizer', 'certifier', 'inspector', 'platform',
                    'retailer'));

create table retailer_stores (
    retailer_id  text not null references organizations (organization_id),
    store_code   text not null,
    name         text not null,
    address      text not null,
    created_at   timestamptz not null default now(),
    primary key (retailer_id, store_code)
);

alter table fairs
    add column host_retailer_id text references organizations (organization_id),
    add column stores jsonb not null default '[]',
    add column opening_hours jsonb not null default '[]',
    add column open_ended boolean not null default false;
