-- When this service learned that a product must stop selling (the revocation lag is
-- processed_at - blocked_at).
alter table product_blocks add column processed_at timestamptz not null default now();
