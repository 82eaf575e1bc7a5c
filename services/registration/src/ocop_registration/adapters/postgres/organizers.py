"""Organizers, and the API tokens registration issues (their hash only)."""

from __future__ import annotations

import asyncpg

from ocop_registration.adapters.postgres.conflicts import unique_as_conflict
from ocop_shared.auth import Role


class PostgresOrganizers:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(self, organizer_id: str, name: str) -> None:
        with unique_as_conflict():
            await self.conn.execute(
                "insert into organizers (organizer_id, name) values ($1, $2)", organizer_id, name
            )


class PostgresCredentials:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(self, token_sha256: bytes, role: Role, subject: str, label: str) -> None:
        await self.conn.execute(
            "insert into api_tokens (token_hash, role, subject, label) values ($1, $2, $3, $4)",
            token_sha256,
            role,
            subject,
            label,
        )
