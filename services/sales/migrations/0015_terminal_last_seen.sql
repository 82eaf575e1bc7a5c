-- Issue 13: when a till was last heard of at all. A browser till records every sale on the
-- device first and uploads it in a batch, so `last_online_at` (its last sale judged online)
-- says little about whether it is connected; while online it reads its catalogue every
-- second, which marks it seen (at most every 10 s). The organizer's console shows a till
-- as offline from the later of the two.
alter table terminals add column last_seen_at timestamptz;
