"""Credentials and the principal they stand for. A token is 256 random bits shown once; only
its SHA-256 is stored (a random 256-bit secret needs no slow hash; passwords do, and live in
registration only).

Each service keeps its own ``api_tokens`` table: registration issues people's sessions and
organizations' API keys and announces them (hash only, with their absolute expiry) on
``registration.credentials``; sales issues its tills' device tokens itself. The bootstrap
admin token comes from the settings (compared in constant time, never stored).

A revocation commits a ``pg_notify`` on ``CREDENTIALS_CHANNEL`` with the same transaction, so
every replica drops its cached answer at once (``TokenCache``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

import asyncpg

Role = Literal["admin", "organizer", "exhibitor", "certifier", "inspector", "terminal", "retailer"]
OrgRole = Literal["owner", "staff"]

# Postgres LISTEN/NOTIFY channel on which a service's replicas hear of revocations.
CREDENTIALS_CHANNEL = "ocop_credentials_revoked"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who calls: an organization (``subject``) in a ``role``, and the person acting for it.

    ``user_id`` is None for an API key, a till and the bootstrap admin token. ``province`` and
    ``level`` scope a certifying or inspection authority.
    """

    role: Role
    subject: str  # organizer id, exhibitor id, authority id, terminal id; "admin" for the bootstrap
    user_id: str | None = None
    org_role: OrgRole = "owner"
    credential_id: str | None = None
    province: str | None = None
    level: Literal["provincial", "central"] | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_owner(self) -> bool:
        return self.org_role == "owner"

    def acts_for(self, organization_id: object) -> bool:
        """The principal acts for this organization (any user of it, owner or staff)."""
        return self.subject == str(organization_id)


def new_token(role: Role) -> str:
    return f"ocop_{role[:3]}_{secrets.token_urlsafe(32)}"


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


@dataclass(frozen=True, slots=True)
class Grant:
    """A credential as every service stores it."""

    token_hash: bytes
    role: Role
    subject: str
    credential_id: UUID | None = None
    kind: str = "api_key"
    user_id: UUID | None = None
    org_role: OrgRole = "owner"
    expires_at: datetime | None = None
    province: str | None = None
    level: str | None = None
    label: str = ""


async def store_grant(conn: asyncpg.Connection, grant: Grant) -> None:
    """Stores a credential (issued here, or announced by the issuer: only its hash travels).
    Installing the same credential twice is harmless."""
    await conn.execute(
        """insert into api_tokens (token_hash, role, subject, label, credential_id, kind,
                                   user_id, org_role, expires_at, province, level)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           on conflict (token_hash) do nothing""",
        grant.token_hash,
        grant.role,
        grant.subject,
        grant.label,
        grant.credential_id,
        grant.kind,
        grant.user_id,
        grant.org_role,
        grant.expires_at,
        grant.province,
        grant.level,
    )


async def issue_token(
    conn: asyncpg.Connection, role: Role, subject: str, label: str = "", *, kind: str = "api_key"
) -> str:
    """A token of this service's own (sales' tills: ``kind="device"``); no expiry, revoked
    with its subject (a till's suspension or unpairing)."""
    token = new_token(role)
    await store_grant(conn, Grant(hash_token(token), role, subject, kind=kind, label=label))
    return token


async def _notify_revoked(conn: asyncpg.Connection) -> None:
    # Delivered at commit, to every replica listening (TokenCache.listen).
    await conn.execute("select pg_notify($1, '')", CREDENTIALS_CHANNEL)


async def revoke_subject_tokens(conn: asyncpg.Connection, role: Role, subject: str) -> None:
    await conn.execute(
        """update api_tokens set revoked_at = now()
           where role = $1 and subject = $2 and revoked_at is null""",
        role,
        subject,
    )
    await _notify_revoked(conn)


async def revoke_credentials(conn: asyncpg.Connection, credential_ids: Sequence[UUID]) -> None:
    await conn.execute(
        """update api_tokens set revoked_at = now()
           where credential_id = any($1::uuid[]) and revoked_at is null""",
        list(credential_ids),
    )
    await _notify_revoked(conn)


@dataclass(frozen=True, slots=True)
class Authenticated:
    principal: Principal
    expires_at: datetime | None


async def lookup(pool: asyncpg.Pool, token: str) -> Authenticated | None:
    row = await pool.fetchrow(
        """select role, subject, user_id, org_role, credential_id, province, level, expires_at
           from api_tokens
           where token_hash = $1 and revoked_at is null
             and (expires_at is null or expires_at > now())""",
        hash_token(token),
    )
    if row is None:
        return None
    principal = Principal(
        role=row["role"],
        subject=row["subject"],
        user_id=str(row["user_id"]) if row["user_id"] else None,
        org_role=row["org_role"],
        credential_id=str(row["credential_id"]) if row["credential_id"] else None,
        province=row["province"],
        level=row["level"],
    )
    return Authenticated(principal, row["expires_at"])


async def authenticate(pool: asyncpg.Pool, token: str, admin_token: str) -> Principal | None:
    if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
        return Principal("admin", "admin")
    found = await lookup(pool, token)
    return found.principal if found else None


class TokenCache:
    """Accepted tokens for a few seconds, off the hot path of a busy till.

    Only acceptances are cached (a refused token is checked again every time, so a credential
    installed a moment ago works at once). An entry never outlives its credential's expiry, and
    every revocation empties the cache of every replica: the revoking transaction notifies
    ``CREDENTIALS_CHANNEL`` and ``listen`` clears on each notification, and on each
    (re)connection, since notifications may have been missed while it was away.
    """

    def __init__(self, ttl_seconds: float = 5.0, max_entries: int = 10_000) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, float | None, Principal]] = {}
        self.listening = False

    def get(self, token: str) -> Principal | None:
        hit = self._entries.get(token)
        if hit is None:
            return None
        cached_at, expires_at, principal = hit
        if time.monotonic() - cached_at >= self.ttl_seconds or (
            expires_at is not None and time.time() >= expires_at
        ):
            del self._entries[token]
            return None
        return principal

    def put(self, token: str, found: Authenticated) -> None:
        if not self.listening:
            return  # without the revocation feed, caching could outlive a revocation
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        expires = found.expires_at.timestamp() if found.expires_at else None
        self._entries[token] = (time.monotonic(), expires, found.principal)

    def clear(self) -> None:
        self._entries.clear()

    async def listen(self, dsn: str, stop: object) -> None:
        """Listens until ``stop`` (an asyncio.Event) is set; raises on a lost connection (the
        service's supervisor restarts it)."""
        import asyncio

        assert isinstance(stop, asyncio.Event)
        conn = await asyncpg.connect(dsn)
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _c: lost.set())
        try:
            await conn.add_listener(CREDENTIALS_CHANNEL, lambda *_a: self.clear())
            self.clear()
            self.listening = True
            done = {asyncio.create_task(stop.wait()), asyncio.create_task(lost.wait())}
            try:
                await asyncio.wait(done, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in done:
                    task.cancel()
            if lost.is_set() and not stop.is_set():
                raise ConnectionError("credential revocation listener lost its connection")
        finally:
            self.listening = False
            self.clear()
            if not conn.is_closed():
                await conn.close()
