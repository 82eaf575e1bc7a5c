-- Issue 15: the host retailer's sales, imported from its daily files, are sales of source
-- 'retailer': one per (store, date, GTIN), without a till, a receipt number or a session
-- (the revenue reports count them; `by=source` shows them apart).
alter table sales add column source text not null default 'till';
alter table sales add column store_code text;
alter table sales alter column terminal_id drop not null;
alter table sales alter column receipt_no drop not null;
alter table sales alter column booth_id drop not null;

-- Each file imported (or refused), by its SHA-256: the same file again answers its report.
create table retailer_imports (
    import_id     uuid primary key,
    fair_id       uuid not null,
    file_hash     bytea not null,
    filename      text not null,
    uploaded_by   text not null,
    applied       boolean not null,
    report        jsonb not null,
    imported_at   timestamptz not null default now()
);
create unique index retailer_imports_applied on retailer_imports (fair_id, file_hash) where applied;
