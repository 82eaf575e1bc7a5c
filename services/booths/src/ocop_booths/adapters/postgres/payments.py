"""Payments received, by hand or from a bank statement (``payments``)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from ocop_booths.application.ports import Payment
from ocop_shared.db import NamedQuery

# Unique keys make a payment recorded twice a no-op: (fair, reference, amount) for a manual
# one, (fair, bank line) for a statement's (migrations/0003_payment_bank_lines.sql).
RECORD = NamedQuery(
    """insert into payments (payment_id, fair_id, exhibitor_id, amount_vnd, reference, source,
                             recorded_by, bank_line)
       values (:payment_id, :fair_id, :exhibitor_id, :amount_vnd, :reference, :source,
               :recorded_by, :bank_line)
       on conflict do nothing
       returning true"""
)


class PostgresPayments:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def record(self, p: Payment) -> bool:
        inserted = await self.conn.fetchval(
            RECORD.sql,
            *RECORD.args(
                payment_id=p.payment_id,
                fair_id=p.fair_id,
                exhibitor_id=p.exhibitor_id,
                amount_vnd=p.amount_vnd,
                reference=p.reference,
                source=p.source,
                recorded_by=p.recorded_by,
                bank_line=p.bank_line,
            ),
        )
        return inserted is not None

    async def paid(self, fair_id: UUID, exhibitor_id: UUID) -> int:
        total = await self.conn.fetchval(
            "select coalesce(sum(amount_vnd), 0) from payments where fair_id = $1 and exhibitor_id = $2",
            fair_id,
            exhibitor_id,
        )
        return int(total)
