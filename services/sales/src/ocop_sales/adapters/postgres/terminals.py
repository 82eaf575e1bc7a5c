"""Tills and their tokens."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from ocop_sales.domain.terminals import Enrolment
from ocop_shared import auth


class PostgresTerminals:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, enrolment: Enrolment) -> str:
        e = enrolment
        await self._conn.execute(
            "insert into terminals (terminal_id, fair_id, booth_id, label, enrolled_by) values ($1, $2, $3, $4, $5)",
            e.terminal_id, e.fair_id, e.booth_id, e.label, e.enrolled_by,
        )  # fmt: skip
        return await auth.issue_token(self._conn, "terminal", str(e.terminal_id), e.label)

    async def fair_of(self, terminal_id: UUID, *, lock: bool = False) -> UUID | None:
        sql = "select fair_id from terminals where terminal_id = $1"
        fair_id: UUID | None = await self._conn.fetchval(
            sql + " for update" if lock else sql, terminal_id
        )
        return fair_id

    async def suspend(self, terminal_id: UUID) -> None:
        await self._conn.execute(
            "update terminals set status = 'suspended' where terminal_id = $1", terminal_id
        )
        await auth.revoke_subject_tokens(self._conn, "terminal", str(terminal_id))
