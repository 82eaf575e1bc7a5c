-- VietQR transfers waiting for the bank, the exhibitors' webhook keys and the bank's
-- notifications (issue 13).

-- An exhibitor's key for its bank-notification webhook (SePay style: `Authorization: Apikey
-- <key>`). Shown once when made; only its SHA-256 is kept. Revoked keys are kept (who, when).
create table bank_webhook_keys (
    key_id        uuid primary key,
    exhibitor_id  uuid not null,
    key_hash      bytea not null unique,
    label         text not null,
    hint          text not null,          -- the key's last 4 characters, to tell keys apart
    created_by    text not null,          -- the person (or API key) who made it
    created_at    timestamptz not null default now(),
    revoked_at    timestamptz,
    last_used_at  timestamptz
);
create index bank_webhook_keys_exhibitor on bank_webhook_keys (exhibitor_id);

-- What the bank (through the provider) said arrived on the exhibitor's account. Repeats of a
-- provider's transaction id for this exhibitor are dropped; only incoming transfers are kept.
-- match_text: the code and the content upper-cased with every non-alphanumeric removed (a
-- space between the two), where a transfer's payment code is looked for. payment_code: the
-- transfer it confirmed (null: unmatched, kept until a transfer uploaded later matches it).
create table bank_notifications (
    notification_id  bigint generated always as identity primary key,
    exhibitor_id     uuid not null,
    key_id           uuid not null references bank_webhook_keys,
    provider         text not null,
    provider_id      text not null,
    gateway          text,
    transaction_date text,
    account_number   text,
    code             text,
    content          text,
    reference_code   text,
    amount_vnd       bigint not null check (amount_vnd > 0),
    match_text       text not null,
    body             jsonb not null,
    received_at      timestamptz not null default now(),
    payment_code     text,
    matched_at       timestamptz,
    unique (exhibitor_id, provider, provider_id)
);
create index bank_notifications_unmatched on bank_notifications (exhibitor_id, amount_vnd)
    where payment_code is null;

-- A VietQR payment with a payment code: pending until the cashier or the bank confirms it.
-- The code is unique per exhibitor (the till makes it from its receipt prefix and number).
create table transfers (
    exhibitor_id         uuid not null,
    payment_code         text not null,
    sale_id              uuid not null references sales,
    fair_id              uuid not null,
    terminal_id          uuid not null,
    payment_no           integer not null,
    amount_vnd           bigint not null check (amount_vnd > 0),
    status               text not null check (status in ('pending', 'confirmed')),
    confirmed_by         text check (confirmed_by in ('cashier', 'bank')),
    notification_id      bigint references bank_notifications,
    bank_transaction_id  text,
    created_at           timestamptz not null default now(),
    confirmed_at         timestamptz,
    primary key (exhibitor_id, payment_code),
    check ((status = 'pending') = (confirmed_by is null)),
    check ((status = 'pending') = (confirmed_at is null))
);
create index transfers_sale on transfers (sale_id);
create index transfers_fair on transfers (fair_id, status);
create index transfers_terminal on transfers (terminal_id);
create index transfers_pending on transfers (exhibitor_id, amount_vnd) where status = 'pending';
