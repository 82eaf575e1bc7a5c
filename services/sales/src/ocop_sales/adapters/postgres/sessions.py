"""Till sessions and what was taken in each.

A till's row holds its open session (``terminals.session_id``); a sale's write takes its
session from that row as it updates it, a refund reads it under a share lock, and opening or
closing a session changes it under the row's lock: each sale and refund is in exactly one
session, and a closing Z-report counts exactly the sales written before it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from ocop_sales.domain.sessions import Session, Takings


class PostgresSessions:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def open(
        self, session_id: UUID, terminal_id: UUID, opening_cash_vnd: int
    ) -> datetime | None:
        try:
            async with self._conn.transaction():  # a savepoint: the refusal keeps the transaction
                opened_at: datetime = await self._conn.fetchval(
                    """insert into sessions (session_id, terminal_id, opening_cash_vnd) values ($1, $2, $3)
                       returning opened_at""",
                    session_id, terminal_id, opening_cash_vnd,
                )  # fmt: skip
        except asyncpg.UniqueViolationError:
            return None  # sessions_one_open: the till has an open session
        # The till's row, locked until commit: sales written from now on join this session;
        # those written while none was open (committed before this lock) are carried into it.
        await self._conn.execute(
            "update terminals set session_id = $1 where terminal_id = $2", session_id, terminal_id
        )
        for table in ("sales", "refunds"):
            await self._conn.execute(
                f"update {table} set session_id = $1 where terminal_id = $2 and session_id is null",
                session_id,
                terminal_id,
            )
        return opened_at

    async def get(self, session_id: UUID, terminal_id: UUID) -> Session | None:
        row = await self._conn.fetchrow(
            """select session_id, terminal_id, opened_at, opening_cash_vnd, closed_at, z_report
                 from sessions where session_id = $1 and terminal_id = $2 for update""",
            session_id,
            terminal_id,
        )
        return Session(**row) if row else None

    async def find(self, session_id: UUID) -> dict[str, Any] | None:
        """The session with its till and the till's fair's organizer (who may read it)."""
        row = await self._conn.fetchrow(
            """select s.session_id, s.terminal_id, t.fair_id, f.organizer_id, s.opened_at, s.opening_cash_vnd,
                      s.closed_at, s.counted_cash_vnd, s.z_report
                 from sessions s join terminals t on t.terminal_id = s.terminal_id
                 join fairs f on f.fair_id = t.fair_id
                where s.session_id = $1""",
            session_id,
        )
        return dict(row) if row else None

    async def clock(self) -> datetime:
        now: datetime = await self._conn.fetchval("select clock_timestamp()")
        return now

    async def end(self, terminal_id: UUID) -> UUID | None:
        """Takes the till's row lock until commit and clears its open session: a sale written
        before this is counted by this close, one written after is not in this session."""
        fair_id: UUID | None = await self._conn.fetchval(
            """update terminals set session_id = null where terminal_id = $1
               returning fair_id""",
            terminal_id,
        )
        return fair_id

    async def takings(self, terminal_id: UUID, session_id: UUID) -> Takings:
        sales = await self._conn.fetch(
            "select total_vnd, payments, receipt_no from sales where terminal_id = $1 and session_id = $2",
            terminal_id,
            session_id,
        )
        refunds = await self._conn.fetch(
            "select total_vnd, method from refunds where terminal_id = $1 and session_id = $2",
            terminal_id,
            session_id,
        )
        return Takings(
            sales=[(r["total_vnd"], r["payments"]) for r in sales],
            refunds=[(r["total_vnd"], r["method"]) for r in refunds],
            receipt_nos=[r["receipt_no"] for r in sales],
            **await self._pending_transfers(terminal_id, session_id),
        )

    async def _pending_transfers(self, terminal_id: UUID, session_id: UUID) -> dict[str, int]:
        """The session's sales' VietQR transfers still waiting for the bank."""
        row = await self._conn.fetchrow(
            """select count(*)::int as pending_transfers,
                      coalesce(sum(t.amount_vnd), 0)::bigint as pending_transfers_vnd
                 from sales s join transfers t using (sale_id)
                where s.terminal_id = $1 and s.session_id = $2 and t.status = 'pending'""",
            terminal_id,
            session_id,
        )
        return dict(row) if row else {}

    async def close(
        self, session_id: UUID, closed_at: datetime, counted_cash_vnd: int, report: dict[str, Any]
    ) -> None:
        await self._conn.execute(
            "update sessions set closed_at = $2, counted_cash_vnd = $3, z_report = $4 where session_id = $1",
            session_id,
            closed_at,
            counted_cash_vnd,
            report,
        )
