-- Catalog state follows the newest decision per product, by the event's time, not by arrival
-- order across topics (a revocation on registration.products may arrive after a newer
-- certificate, an approval on registration.applications after a newer product event).
--
-- product_blocks holds each product's newest certificate decision: blocked from blocked_at
-- (revoked or expired), or in force again (blocked_at null, with the new ocop_until and
-- star); decided_at is that decision's event time. An older decision arriving later changes
-- nothing.
alter table product_blocks alter column blocked_at drop not null;
alter table product_blocks alter column reason drop not null;
alter table product_blocks add column decided_at timestamptz;
alter table product_blocks add column ocop_until date;
alter table product_blocks add column star integer;
update product_blocks set decided_at = blocked_at;
alter table product_blocks alter column decided_at set not null;

-- The event time of the decision that set a catalog row's ocop_until and star (an approval
-- or a newer certificate); null on rows stored before: any decision is newer.
alter table catalog add column decided_at timestamptz;
