-- Identity (issue 10): organizations of every kind, the people who act for them, their
-- sessions, invitations, reset codes and API keys, and sign-in throttling. Secrets (session
-- tokens, API keys, invitation and reset codes) are stored as SHA-256 only; passwords as
-- argon2id hashes.

create table organizations (
    organization_id  text primary key,
    kind             text not null check (kind in ('holder', 'delegation', 'organizer',
                                                   'certifier', 'inspector', 'platform')),
    name             text not null,
    province         text,
    level            text check (level in ('provincial', 'central')),
    suspended_at     timestamptz,
    created_at       timestamptz not null default now()
);

-- Organizers become organizations of kind organizer; fairs now point there.
insert into organizations (organization_id, kind, name, created_at)
    select organizer_id, 'organizer', name, created_at from organizers;
alter table fairs drop constraint fairs_organizer_id_fkey;
alter table fairs add constraint fairs_organizer_id_fkey
    foreign key (organizer_id) references organizations;
drop table organizers;

-- Every exhibitor is an organization (holder or delegation) with the exhibitor's id.
insert into organizations (organization_id, kind, name, province, created_at)
    select exhibitor_id::text, case when kind = 'delegation' then 'delegation' else 'holder' end,
           name, province, created_at
      from exhibitors;

insert into organizations (organization_id, kind, name) values ('platform', 'platform', 'ocop-fairs');

create table users (
    user_id              uuid primary key,
    name                 text not null,
    email                text unique,       -- lower case
    phone                text unique,       -- E.164 (+84...)
    password_hash        text not null,     -- argon2id (pwdlib)
    password_changed_at  timestamptz not null,
    created_at           timestamptz not null,
    check (email is not null or phone is not null)
);

create table memberships (
    user_id          uuid not null references users,
    organization_id  text not null references organizations,
    org_role         text not null check (org_role in ('owner', 'staff')),
    created_at       timestamptz not null,
    primary key (user_id, organization_id)
);
create index memberships_organization on memberships (organization_id);

-- A session is a credential (session_id = api_tokens.credential_id) of one person acting for
-- one organization. Absolute expiry is enforced by every service (api_tokens.expires_at);
-- idle expiry by registration's session job, from last_seen_at.
create table sessions (
    session_id       uuid primary key,
    user_id          uuid not null references users,
    organization_id  text not null references organizations,
    role             text not null,
    org_role         text not null check (org_role in ('owner', 'staff')),
    token_sha256     bytea not null unique,
    created_at       timestamptz not null,
    last_seen_at     timestamptz not null,
    expires_at       timestamptz not null,
    revoked_at       timestamptz,
    revoked_reason   text
);
create index sessions_user on sessions (user_id) where revoked_at is null;
create index sessions_organization on sessions (organization_id) where revoked_at is null;
create index sessions_last_seen on sessions (last_seen_at) where revoked_at is null;
create index sessions_expires on sessions (expires_at) where revoked_at is null;

create table invitations (
    invitation_id    uuid primary key,
    organization_id  text not null references organizations,
    org_role         text not null check (org_role in ('owner', 'staff')),
    code_sha256      bytea not null unique,
    created_by       uuid,             -- the inviting person; none for the platform's token
    created_at       timestamptz not null,
    expires_at       timestamptz not null,
    used_at          timestamptz,
    used_by          uuid references users,
    revoked_at       timestamptz
);
create index invitations_organization on invitations (organization_id);

create table reset_codes (
    code_id          uuid primary key,
    user_id          uuid not null references users,
    organization_id  text not null references organizations,
    code_sha256      bytea not null unique,
    created_by       uuid,
    created_at       timestamptz not null,
    expires_at       timestamptz not null,
    used_at          timestamptz
);
create index reset_codes_user on reset_codes (user_id);

create table api_keys (
    key_id           uuid primary key,  -- = api_tokens.credential_id
    organization_id  text not null references organizations,
    label            text not null,
    token_sha256     bytea not null unique,
    created_by       uuid,
    created_at       timestamptz not null,
    expires_at       timestamptz not null,
    revoked_at       timestamptz
);
create index api_keys_organization on api_keys (organization_id);

-- Consecutive failed sign-ins per login (folded email or E.164 phone, known or not), so the
-- backoff holds across replicas. A success deletes the row.
create table sign_in_failures (
    login            text primary key,
    failures         integer not null,
    last_failure_at  timestamptz not null
);
create index sign_in_failures_last on sign_in_failures (last_failure_at);
