-- Issue 15: trade matching at exhibitions and fairs (meetings between buyers and exhibitors,
-- contracts and memoranda signed), fair series (the annual Xuân and Hè fairs), and visitors
-- counted per day at the gates. Each record's id is the client's: a retry with the same
-- content answers the first recording (content_hash), other content is a conflict.

create table trade_meetings (
    meeting_id          uuid primary key,
    fair_id             uuid not null references fairs,
    exhibitor_id        uuid not null references exhibitors,
    buyer_name          text not null,
    buyer_organization  text not null,
    buyer_country       text not null,           -- ISO 3166-1 alpha-2 ('VN')
    buyer_province      text,
    buyer_contact       text not null,
    held_at             timestamptz not null,
    outcome             text not null check (outcome in ('agreed', 'follow_up', 'no_deal')),
    note                text,
    recorded_by_org     text not null,           -- the organizer or the exhibitor
    recorded_by         uuid,                    -- the person (none for an API key)
    recorded_at         timestamptz not null,
    content_hash        bytea not null
);
create index trade_meetings_fair on trade_meetings (fair_id, held_at);

create table trade_contracts (
    contract_id         uuid primary key,
    fair_id             uuid not null references fairs,
    exhibitor_id        uuid not null references exhibitors,
    kind                text not null check (kind in ('contract', 'mou')),
    buyer_name          text not null,
    buyer_organization  text not null,
    buyer_country       text not null,
    buyer_province      text,
    buyer_contact       text not null,
    product_ids         uuid[] not null,
    value_vnd           bigint not null check (value_vnd >= 0),
    signed_on           date not null,
    meeting_id          uuid references trade_meetings,
    recorded_by_org     text not null,
    recorded_by         uuid,
    recorded_at         timestamptz not null,
    content_hash        bytea not null
);
create index trade_contracts_fair on trade_contracts (fair_id, signed_on);

-- A series of fairs an organizer holds year after year; a fair belongs to one at most.
create table fair_series (
    series_id     uuid primary key,
    organizer_id  text not null,
    name          text not null,
    created_at    timestamptz not null default now()
);
create index fair_series_organizer on fair_series (organizer_id);
create table fair_series_members (
    fair_id    uuid primary key references fairs,
    series_id  uuid not null references fair_series
);
create index fair_series_members_series on fair_series_members (series_id);

-- Visitors counted at the gates: increments per day, by the organizer or a device (its API key).
create table visitor_counts (
    count_id         uuid primary key,
    fair_id          uuid not null references fairs,
    day              date not null,
    increment        integer not null check (increment <> 0),
    gate             text,
    recorded_by_org  text not null,
    recorded_by      uuid,
    recorded_at      timestamptz not null,
    content_hash     bytea not null
);
create index visitor_counts_fair_day on visitor_counts (fair_id, day);
