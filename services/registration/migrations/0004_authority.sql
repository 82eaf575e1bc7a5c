-- Authority (issue 10): who decided each certificate, and delegation membership by consent.

-- Each certificate decision records the certifying authority (its organization id), the person
-- who recorded it (a user id; none for an API key) and its decision number (already required).
-- Certificates recorded before authorities existed keep none.
alter table certificates
    add column authority_id          text,
    add column decided_by            uuid,
    add column revoked_by_authority  text,
    add column revoked_by            uuid;
create index certificates_authority on certificates (authority_id);

-- A delegation invites a holder; only the holder accepts or declines; either side ends it.
-- Only accepted memberships count (for applications, and in the announced member_ids).
-- Memberships recorded before consent existed were announced as members: they stay accepted,
-- and either side may end them.
alter table delegation_members
    add column status      text not null default 'accepted'
        check (status in ('pending', 'accepted', 'declined', 'ended')),
    add column invited_at  timestamptz not null default now(),
    add column decided_at  timestamptz,
    add column ended_by    uuid;
alter table delegation_members alter column status set default 'pending';
create index delegation_members_member on delegation_members (member_id);
