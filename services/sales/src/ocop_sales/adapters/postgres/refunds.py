"""Refunds, their lines, and organizers' approvals of another refund method."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from ocop_sales.domain.refunds import (
    RefundApproval,
    RefundDecision,
    RefundIn,
    StoredApproval,
    StoredRefund,
)


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
                                    session_id, approval_id)
               select $1, $2, $3, $4, $5, $6, $7, till.session_id, $8 from till""",
            r.refund_id, r.sale_id, terminal_id, decision.total_vnd, r.method, r.reason, r.payload_hash,
            r.approval_id,
        )  # fmt: skip
        await self._conn.executemany(
            "insert into refund_lines (refund_id, sale_id, line_no, quantity, total_vnd) values ($1, $2, $3, $4, $5)",
            [
                (r.refund_id, r.sale_id, n, line.quantity, line.total_vnd)
                for n, line in decision.lines
            ],
        )

    async def approval(self, approval_id: UUID) -> StoredApproval | None:
        row = await self._conn.fetchrow(
            """select approval_id, sale_id, fair_id, method, reason, approved_by, approved_at, payload_hash
                 from refund_approvals where approval_id = $1""",
            approval_id,
        )
        if row is None:
            return None
        values = dict(row)
        digest = values.pop("payload_hash")
        return StoredApproval(RefundApproval(**values), digest)

    async def approve(self, approval: RefundApproval, payload_hash: bytes) -> None:
        a = approval
        await self._conn.execute(
            """insert into refund_approvals (approval_id, sale_id, fair_id, method, reason, approved_by,
                                             payload_hash, approved_at)
               values ($1, $2, $3, $4, $5, $6, $7, $8)""",
            a.approval_id, a.sale_id, a.fair_id, a.method, a.reason, a.approved_by, payload_hash,
            a.approved_at,
        )  # fmt: skip
