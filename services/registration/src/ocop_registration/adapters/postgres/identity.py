"""Identity's repositories: organizations, people and memberships, sessions, invitations,
reset codes, API keys, sign-in throttling, and the credentials registration authenticates
(its own ``api_tokens``, through ``ocop_shared.auth``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from ocop_registration.domain.identity import (
    ApiKey,
    Invitation,
    Login,
    Member,
    Membership,
    Organization,
    ResetCode,
    SessionRecord,
    SessionTimes,
    StoredUser,
    Throttle,
    User,
)
from ocop_shared import auth
from ocop_shared.errors import Conflict

# Holders and delegations take their name and province from their exhibitor record (which
# they edit), the others from their own row.
_ORGANIZATION = """
    select o.organization_id, o.kind, coalesce(e.name, o.name) as name,
           coalesce(e.province, o.province) as province, o.level,
           o.suspended_at is not null as suspended
      from organizations o
      left join exhibitors e
        on o.kind in ('holder', 'delegation') and e.exhibitor_id::text = o.organization_id
"""


def _organization(row: Any) -> Organization:
    return Organization(
        organization_id=row["organization_id"],
        kind=row["kind"],
        name=row["name"],
        province=row["province"],
        level=row["level"],
        suspended=row["suspended"],
    )


def _user(row: Any) -> User:
    return User(user_id=row["user_id"], name=row["name"], email=row["email"], phone=row["phone"])


class PostgresOrganizations:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(self, organization: Organization) -> None:
        try:
            await self.conn.execute(
                """insert into organizations (organization_id, kind, name, province, level)
                   values ($1, $2, $3, $4, $5)""",
                organization.organization_id,
                organization.kind,
                organization.name,
                organization.province,
                organization.level,
            )
        except asyncpg.UniqueViolationError:
            raise Conflict("organization_id is already taken", field="organization_id") from None

    async def get(self, organization_id: str, *, lock: bool = False) -> Organization | None:
        if lock:
            await self.conn.execute(
                "select 1 from organizations where organization_id = $1 for update",
                organization_id,
            )
        row = await self.conn.fetchrow(
            _ORGANIZATION + " where o.organization_id = $1", organization_id
        )
        return _organization(row) if row else None

    async def set_suspended(self, organization_id: str, at: datetime | None) -> None:
        await self.conn.execute(
            "update organizations set suspended_at = $2 where organization_id = $1",
            organization_id,
            at,
        )


class PostgresUsers:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def taken(self, email: str | None, phone: str | None) -> list[str]:
        """Which of the email and phone another person already signs in with."""
        row = await self.conn.fetchrow(
            """select exists(select 1 from users where email = $1) as email,
                      exists(select 1 from users where phone = $2) as phone""",
            email,
            phone,
        )
        assert row is not None
        return [f for f in ("email", "phone") if row[f]]

    async def add(self, user: User, password_hash: str, now: datetime) -> None:
        try:
            await self.conn.execute(
                """insert into users (user_id, name, email, phone, password_hash,
                                      password_changed_at, created_at)
                   values ($1, $2, $3, $4, $5, $6, $6)""",
                user.user_id,
                user.name,
                user.email,
                user.phone,
                password_hash,
                now,
            )
        except asyncpg.UniqueViolationError as exc:
            field = "phone" if "phone" in (exc.constraint_name or "") else "email"
            raise Conflict(f"{field} is already taken", field=field) from None

    async def get(self, user_id: UUID) -> StoredUser | None:
        row = await self.conn.fetchrow("select * from users where user_id = $1", user_id)
        return StoredUser(_user(row), row["password_hash"]) if row else None

    async def by_login(self, login: Login) -> StoredUser | None:
        if login.email:
            row = await self.conn.fetchrow("select * from users where email = $1", login.email)
        else:
            row = await self.conn.fetchrow("select * from users where phone = $1", login.phone)
        return StoredUser(_user(row), row["password_hash"]) if row else None

    async def set_password(self, user_id: UUID, password_hash: str, now: datetime) -> None:
        await self.conn.execute(
            """update users set password_hash = $2, password_changed_at = $3
               where user_id = $1""",
            user_id,
            password_hash,
            now,
        )

    async def add_membership(
        self, user_id: UUID, organization_id: str, org_role: str, now: datetime
    ) -> None:
        try:
            await self.conn.execute(
                """insert into memberships (user_id, organization_id, org_role, created_at)
                   values ($1, $2, $3, $4)""",
                user_id,
                organization_id,
                org_role,
                now,
            )
        except asyncpg.UniqueViolationError:
            raise Conflict("already a member of this organization", field="code") from None

    async def remove_membership(self, user_id: UUID, organization_id: str) -> bool:
        done = await self.conn.execute(
            "delete from memberships where user_id = $1 and organization_id = $2",
            user_id,
            organization_id,
        )
        return bool(done == "DELETE 1")

    async def memberships(self, user_id: UUID) -> list[Membership]:
        rows = await self.conn.fetch(
            f"""select m.org_role, x.* from memberships m
                join ({_ORGANIZATION}) x on x.organization_id = m.organization_id
                where m.user_id = $1 order by m.created_at, m.organization_id""",
            user_id,
        )
        return [Membership(_organization(r), r["org_role"]) for r in rows]

    async def members(self, organization_id: str, *, lock: bool = False) -> list[Member]:
        rows = await self.conn.fetch(
            f"""select u.*, m.org_role, m.created_at as joined_at
                  from memberships m join users u using (user_id)
                 where m.organization_id = $1
                 order by m.created_at, u.name
                 {"for update of m" if lock else ""}""",
            organization_id,
        )
        return [Member(_user(r), r["org_role"], r["joined_at"]) for r in rows]


def _session(row: Any) -> SessionRecord:
    return SessionRecord(
        session_id=row["session_id"],
        user_id=row["user_id"],
        organization_id=row["organization_id"],
        role=row["role"],
        org_role=row["org_role"],
        times=SessionTimes(row["created_at"], row["last_seen_at"], row["expires_at"]),
        revoked_reason=row["revoked_reason"],
    )


class PostgresSessions:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(self, session: SessionRecord, token_sha256: bytes) -> None:
        await self.conn.execute(
            """insert into sessions (session_id, user_id, organization_id, role, org_role,
                                     token_sha256, created_at, last_seen_at, expires_at)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
            session.session_id,
            session.user_id,
            session.organization_id,
            session.role,
            session.org_role,
            token_sha256,
            session.times.created_at,
            session.times.last_seen_at,
            session.times.expires_at,
        )

    async def get(self, session_id: UUID) -> SessionRecord | None:
        row = await self.conn.fetchrow(
            "select * from sessions where session_id = $1 and revoked_at is null", session_id
        )
        return _session(row) if row else None

    async def live(
        self, *, user_id: UUID | None = None, organization_id: str | None = None
    ) -> list[SessionRecord]:
        """The sessions not revoked yet of a person, an organization, or a person in one."""
        rows = await self.conn.fetch(
            """select * from sessions
                where revoked_at is null
                  and ($1::uuid is null or user_id = $1)
                  and ($2::text is null or organization_id = $2)
                order by created_at
                for update""",
            user_id,
            organization_id,
        )
        return [_session(r) for r in rows]

    async def due(self, now: datetime, idle_since: datetime, limit: int) -> list[SessionRecord]:
        """Sessions past their absolute expiry or idle since before ``idle_since``; locked,
        skipping those another replica's job holds."""
        rows = await self.conn.fetch(
            """select * from sessions
                where revoked_at is null and (expires_at <= $1 or last_seen_at <= $2)
                order by session_id
                limit $3
                for update skip locked""",
            now,
            idle_since,
            limit,
        )
        return [_session(r) for r in rows]

    async def revoke(self, session_ids: Sequence[UUID], reason: str, now: datetime) -> None:
        await self.conn.execute(
            """update sessions set revoked_at = $3, revoked_reason = $2
                where session_id = any($1::uuid[]) and revoked_at is null""",
            list(session_ids),
            reason,
            now,
        )

    async def touch(
        self, session_id: UUID, now: datetime, before: datetime, alive_after: datetime
    ) -> None:
        """Records activity: only if the last record is older than ``before`` (one write a
        minute at most) and newer than ``alive_after`` (an idle session stays idle)."""
        await self.conn.execute(
            """update sessions set last_seen_at = $2
                where session_id = $1 and revoked_at is null
                  and last_seen_at < $3 and last_seen_at > $4 and expires_at > $2""",
            session_id,
            now,
            before,
            alive_after,
        )


def _invitation(row: Any) -> Invitation:
    return Invitation(
        invitation_id=row["invitation_id"],
        organization_id=row["organization_id"],
        org_role=row["org_role"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
        used_by=row["used_by"],
        revoked_at=row["revoked_at"],
    )


class PostgresInvitations:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(
        self, invitation: Invitation, code_sha256: bytes, created_by: UUID | None
    ) -> None:
        await self.conn.execute(
            """insert into invitations (invitation_id, organization_id, org_role, code_sha256,
                                        created_by, created_at, expires_at)
               values ($1, $2, $3, $4, $5, $6, $7)""",
            invitation.invitation_id,
            invitation.organization_id,
            invitation.org_role,
            code_sha256,
            created_by,
            invitation.created_at,
            invitation.expires_at,
        )

    async def by_code(self, code_sha256: bytes) -> Invitation | None:
        row = await self.conn.fetchrow(
            "select * from invitations where code_sha256 = $1 for update", code_sha256
        )
        return _invitation(row) if row else None

    async def get(self, invitation_id: UUID, organization_id: str) -> Invitation | None:
        row = await self.conn.fetchrow(
            """select * from invitations where invitation_id = $1 and organization_id = $2
               for update""",
            invitation_id,
            organization_id,
        )
        return _invitation(row) if row else None

    async def of_organization(self, organization_id: str) -> list[Invitation]:
        rows = await self.conn.fetch(
            "select * from invitations where organization_id = $1 order by created_at desc",
            organization_id,
        )
        return [_invitation(r) for r in rows]

    async def mark_used(self, invitation_id: UUID, user_id: UUID, now: datetime) -> None:
        await self.conn.execute(
            "update invitations set used_at = $3, used_by = $2 where invitation_id = $1",
            invitation_id,
            user_id,
            now,
        )

    async def revoke(self, invitation_id: UUID, now: datetime) -> None:
        await self.conn.execute(
            """update invitations set revoked_at = $2
                where invitation_id = $1 and revoked_at is null and used_at is null""",
            invitation_id,
            now,
        )


class PostgresResetCodes:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(
        self, code: ResetCode, code_sha256: bytes, created_by: UUID | None, now: datetime
    ) -> None:
        await self.conn.execute(
            """insert into reset_codes (code_id, user_id, organization_id, code_sha256,
                                        created_by, created_at, expires_at)
               values ($1, $2, $3, $4, $5, $6, $7)""",
            code.code_id,
            code.user_id,
            code.organization_id,
            code_sha256,
            created_by,
            now,
            code.expires_at,
        )

    async def by_code(self, code_sha256: bytes) -> ResetCode | None:
        row = await self.conn.fetchrow(
            "select * from reset_codes where code_sha256 = $1 for update", code_sha256
        )
        if row is None:
            return None
        return ResetCode(
            code_id=row["code_id"],
            user_id=row["user_id"],
            organization_id=row["organization_id"],
            expires_at=row["expires_at"],
            used_at=row["used_at"],
        )

    async def mark_used(self, code_id: UUID, now: datetime) -> None:
        await self.conn.execute(
            "update reset_codes set used_at = $2 where code_id = $1", code_id, now
        )


def _api_key(row: Any) -> ApiKey:
    return ApiKey(
        key_id=row["key_id"],
        organization_id=row["organization_id"],
        label=row["label"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
    )


class PostgresApiKeys:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(self, key: ApiKey, token_sha256: bytes, created_by: UUID | None) -> None:
        await self.conn.execute(
            """insert into api_keys (key_id, organization_id, label, token_sha256, created_by,
                                     created_at, expires_at)
               values ($1, $2, $3, $4, $5, $6, $7)""",
            key.key_id,
            key.organization_id,
            key.label,
            token_sha256,
            created_by,
            key.created_at,
            key.expires_at,
        )

    async def get(self, key_id: UUID, organization_id: str) -> ApiKey | None:
        row = await self.conn.fetchrow(
            "select * from api_keys where key_id = $1 and organization_id = $2 for update",
            key_id,
            organization_id,
        )
        return _api_key(row) if row else None

    async def of_organization(self, organization_id: str) -> list[ApiKey]:
        rows = await self.conn.fetch(
            "select * from api_keys where organization_id = $1 order by created_at desc",
            organization_id,
        )
        return [_api_key(r) for r in rows]

    async def revoke(self, key_ids: Sequence[UUID], now: datetime) -> None:
        await self.conn.execute(
            """update api_keys set revoked_at = $2
                where key_id = any($1::uuid[]) and revoked_at is null""",
            list(key_ids),
            now,
        )

    async def live_of_organization(self, organization_id: str) -> list[ApiKey]:
        rows = await self.conn.fetch(
            """select * from api_keys where organization_id = $1 and revoked_at is null
               for update""",
            organization_id,
        )
        return [_api_key(r) for r in rows]


class PostgresSignInThrottle:
    """Consecutive failures per login. ``hold`` takes a transaction-scoped advisory lock on
    the login, so concurrent attempts on one login are judged one after the other."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def hold(self, login: str) -> Throttle:
        await self.conn.execute(
            "select pg_advisory_xact_lock(hashtextextended('sign-in:' || $1, 0))", login
        )
        row = await self.conn.fetchrow(
            "select failures, last_failure_at from sign_in_failures where login = $1", login
        )
        return Throttle(row["failures"], row["last_failure_at"]) if row else Throttle()

    async def failed(self, login: str, now: datetime) -> None:
        await self.conn.execute(
            """insert into sign_in_failures (login, failures, last_failure_at)
               values ($1, 1, $2)
               on conflict (login) do update
                 set failures = sign_in_failures.failures + 1, last_failure_at = $2""",
            login,
            now,
        )

    async def succeeded(self, login: str) -> None:
        await self.conn.execute("delete from sign_in_failures where login = $1", login)

    async def purge(self, before: datetime) -> int:
        done = await self.conn.execute(
            "delete from sign_in_failures where last_failure_at < $1", before
        )
        return int(done.split()[-1])


class PostgresCredentials:
    """The credentials registration itself authenticates (its ``api_tokens``); a revocation
    notifies every replica's token cache at commit."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def store(self, grant: auth.Grant) -> None:
        await auth.store_grant(self.conn, grant)

    async def revoke(self, credential_ids: Sequence[UUID]) -> None:
        if credential_ids:
            await auth.revoke_credentials(self.conn, credential_ids)

    async def revoke_subject(self, role: auth.Role, subject: str) -> None:
        await auth.revoke_subject_tokens(self.conn, role, subject)
