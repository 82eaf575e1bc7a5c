"""Tills and their tokens."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from ocop_sales.application.ports import TerminalRow
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
        return await auth.issue_token(
            self._conn, "terminal", str(e.terminal_id), e.label, kind="device"
        )

    async def fair_of(self, terminal_id: UUID, *, lock: bool = False) -> UUID | None:
        sql = "select fair_id from terminals where terminal_id = $1"
        fair_id: UUID | None = await self._conn.fetchval(
            sql + " for update" if lock else sql, terminal_id
        )
        return fair_id

    async def suspend(self, terminal_id: UUID) -> str:
        status: str = await self._conn.fetchval(
            """update terminals set status = case when status = 'active' then 'suspended' else status end
                where terminal_id = $1 returning status""",
            terminal_id,
        )
        await auth.revoke_subject_tokens(self._conn, "terminal", str(terminal_id))
        return status

    async def unpair(self, terminal_id: UUID) -> None:
        await self._conn.execute(
            "update terminals set status = 'unpaired' where terminal_id = $1", terminal_id
        )
        # Every replica's token cache empties at commit (NOTIFY): refused at once everywhere.
        await auth.revoke_subject_tokens(self._conn, "terminal", str(terminal_id))

    async def listing(
        self, fair_id: UUID, *, exhibitor_id: UUID | None = None
    ) -> list[TerminalRow]:
        rows = await self._conn.fetch(
            """select t.terminal_id, t.booth_id, h.booth_code, h.exhibitor_id, t.label, t.status,
                      t.session_id is not null as session_open, t.created_at as enrolled_at,
                      t.last_online_at
                 from terminals t left join booth_holders h on h.booth_id = t.booth_id and h.fair_id = t.fair_id
                where t.fair_id = $1 and ($2::uuid is null or h.exhibitor_id = $2)
                order by t.created_at, t.terminal_id""",
            fair_id,
            exhibitor_id,
        )
        return [TerminalRow(**r) for r in rows]
