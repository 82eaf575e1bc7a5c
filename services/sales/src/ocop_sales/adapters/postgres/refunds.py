"""Refunds and their lines."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from ocop_sales.domain.refunds import RefundDecision, RefundIn, StoredRefund


class PostgresRefunds:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get(self, refund_id: UUID) -> StoredRefund | None:
        row = await self._conn.fetchrow(
            "select refund_id, sale_id, total_vnd, payload_hash from refunds where refund_id = $1",
            refund_id,
        )
        return StoredRefund(**row) if row else None

    async def add(self, refund: RefundIn, decision: RefundDecision, terminal_id: UUID) -> None:
        r = refund
        # In the till's open session, read under a share lock: a close in flight finishes first.
        await self._conn.execute(
            """with till as (select session_id from terminals where terminal_id = $3 for share)
               insert into refunds (refund_id, sale_id, terminal_id, total_vnd, method, reason, payload_hash,
                                    session_id)
               select $1, $2, $3, $4, $5, $6, $7, till.session_id from till""",
            r.refund_id, r.sale_id, terminal_id, decision.total_vnd, r.method, r.reason, r.payload_hash,
        )  # fmt: skip
        await self._conn.executemany(
            "insert into refund_lines (refund_id, sale_id, line_no, quantity, total_vnd) values ($1, $2, $3, $4, $5)",
            [
                (r.refund_id, r.sale_id, n, line.quantity, line.total_vnd)
                for n, line in decision.lines
            ],
        )
