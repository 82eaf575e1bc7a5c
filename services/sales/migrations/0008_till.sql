-- The till (issue 13): receipt prefixes, device receipt numbers, pairing codes, per-fair till
-- rules, the exhibitor's bank account.

-- Every till prints its receipts as <prefix>-<receipt_no zero-padded to 6>: 5 Crockford base32
-- characters, random, unique. Enrolment draws one (and draws again on a collision); this
-- default serves rows written otherwise (benchmarks), and the backfill below.
create function receipt_prefix_candidate() returns text language sql volatile as $$
    select string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + floor(random() * 32)::int, 1), '')
      from generate_series(1, 5)
$$;
alter table terminals add column receipt_prefix text;
create unique index terminals_receipt_prefix on terminals (receipt_prefix);
do $$
declare
    till uuid;
    candidate text;
begin
    for till in select terminal_id from terminals where receipt_prefix is null loop
        loop
            candidate := receipt_prefix_candidate();
            exit when not exists (select 1 from terminals where receipt_prefix = candidate);
        end loop;
        update terminals set receipt_prefix = candidate where terminal_id = till;
    end loop;
end $$;
alter table terminals alter column receipt_prefix set default receipt_prefix_candidate();
alter table terminals alter column receipt_prefix set not null;

-- One-time pairing codes: a device pairs with the code and receives the till's device
-- credential in the same transaction that uses the code up. Only the code's SHA-256 is kept;
-- a code is valid until expires_at, once; a new code for the till revokes the unused ones.
create table terminal_pairings (
    code_hash    bytea primary key,
    terminal_id  uuid not null references terminals,
    issued_by    text not null,
    issued_at    timestamptz not null default now(),
    expires_at   timestamptz not null,
    used_at      timestamptz,
    revoked_at   timestamptz
);
create index terminal_pairings_terminal on terminal_pairings (terminal_id);

-- A fair's rules for its tills (the organizer's; absent: the defaults). The offline caps are
-- the till's to enforce (the server never refuses a sale for them); max_discount_percent is
-- what check_price applies at this fair.
create table till_rules (
    fair_id                     uuid primary key references fairs,
    offline_max_hours           integer not null,
    offline_max_sale_vnd        bigint not null,
    offline_max_unsynced_vnd    bigint not null,
    offline_max_unsynced_count  integer not null,
    max_discount_percent        integer not null check (max_discount_percent between 0 and 100),
    updated_by                  text not null,
    updated_at                  timestamptz not null default now()
);

-- The exhibitor's receiving bank account (registration's, from registration.exhibitors):
-- NAPAS BIN, account number, account name; all three or none.
alter table exhibitors add column bank_bin text;
alter table exhibitors add column bank_account text;
alter table exhibitors add column bank_account_name text;

-- A till may number its own receipts (1..2^31-1, unique per till: sales' unique
-- (terminal_id, receipt_no)); the counter moves past each, so it may reach 2^31.
alter table terminals alter column next_receipt_no type bigint;
