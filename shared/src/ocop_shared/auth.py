"""API tokens with roles. A token is 256 random bits shown once; only its SHA-256 is stored.

Each service keeps its own ``api_tokens`` table. The bootstrap admin token comes from the
settings (compared in constant time, never stored).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

import asyncpg

Role = Literal["admin", "organizer", "exhibitor", "terminal"]


@dataclass(frozen=True, slots=True)
class Principal:
    role: Role
    subject: str  # organizer id, exhibitor id, terminal id; "admin" for the bootstrap token

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def new_token(role: Role) -> str:
    return f"ocop_{role[:3]}_{secrets.token_urlsafe(32)}"


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def issue_token(conn: asyncpg.Connection, role: Role, subject: str, label: str = "") -> str:
    token = new_token(role)
    await conn.execute(
        "insert into api_tokens (token_hash, role, subject, label) values ($1, $2, $3, $4)",
        hash_token(token),
        role,
        subject,
        label,
    )
    return token


async def revoke_subject_tokens(conn: asyncpg.Connection, role: Role, subject: str) -> None:
    await conn.execute(
        "update api_tokens set revoked_at = now() where role = $1 and subject = $2 and revoked_at is null",
        role,
        subject,
    )


async def authenticate(pool: asyncpg.Pool, token: str, admin_token: str) -> Principal | None:
    if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
        return Principal("admin", "admin")
    row = await pool.fetchrow(
        "select role, subject from api_tokens where token_hash = $1 and revoked_at is null",
        hash_token(token),
    )
    return Principal(row["role"], row["subject"]) if row else None


async def install_credential(
    conn: asyncpg.Connection, role: Role, subject: str, token_sha256: str, label: str = ""
) -> None:
    """Stores a credential issued by another service (only its hash ever travels)."""
    await conn.execute(
        """insert into api_tokens (token_hash, role, subject, label) values ($1, $2, $3, $4)
           on conflict (token_hash) do nothing""",
        bytes.fromhex(token_sha256),
        role,
        subject,
        label,
    )
