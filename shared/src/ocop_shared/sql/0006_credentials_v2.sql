-- Credentials with identity (issue 10): which credential (to revoke one), what kind (a
-- person's session, an organization's API key, a till's device token), the person, their
-- role in the organization, an absolute expiry every service enforces, and the province and
-- level an authority decides for.
alter table api_tokens
    add column credential_id uuid,
    add column kind          text not null default 'api_key'
        check (kind in ('session', 'api_key', 'device')),
    add column user_id       uuid,
    add column org_role      text not null default 'owner' check (org_role in ('owner', 'staff')),
    add column expires_at    timestamptz,
    add column province      text,
    add column level         text check (level in ('provincial', 'central'));
create unique index api_tokens_credential_id on api_tokens (credential_id)
    where credential_id is not null;
create index api_tokens_subject on api_tokens (role, subject) where revoked_at is null;
