-- A delegation's application shows several holders; the booth limit is per holder.
alter table applications add column holder_count integer not null default 1;
