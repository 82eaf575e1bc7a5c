"""Payments received, by hand or from a bank statement (``payments``), and the statement
lines no payment was found for (``unmatched_bank_lines``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from uuid import UUID

import asyncpg

from ocop_booths.application.ports import Payment, UnmatchedLine
from ocop_booths.domain.payments import BankLine, Unmatched
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

# One row per bank transfer: imported again, a line keeps its first import's time and takes
# the newer reason.
KEEP_UNMATCHED = """
insert into unmatched_bank_lines (fair_id, bank_line, line, amount, amount_vnd, description,
                                  transaction_id, booked_at, reason, reason_code, reason_params,
                                  imported_by)
select $1, u.bank_line, u.line, u.amount, u.amount_vnd, u.description, u.transaction_id,
       u.booked_at, u.reason, u.reason_code, u.reason_params::jsonb, $2
  from unnest($3::text[], $4::int[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[],
              $10::text[], $11::text[], $12::text[])
       as u (bank_line, line, amount, amount_vnd, description, transaction_id, booked_at, reason,
             reason_code, reason_params)
on conflict (fair_id, bank_line) do update
   set line = excluded.line, reason = excluded.reason, reason_code = excluded.reason_code,
       reason_params = excluded.reason_params"""


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

    async def keep_unmatched(
        self, fair_id: UUID, lines: Sequence[tuple[BankLine, Unmatched]], imported_by: str
    ) -> None:
        # One row per transfer: two lines of one file with one transaction id are one.
        lines = list({b.identity: (b, u) for b, u in lines}.values())
        if not lines:
            return
        await self.conn.execute(
            KEEP_UNMATCHED,
            fair_id,
            imported_by,
            [b.identity for b, _ in lines],
            [b.line for b, _ in lines],
            [b.amount for b, _ in lines],
            [b.amount_vnd for b, _ in lines],
            [b.description for b, _ in lines],
            [b.transaction_id for b, _ in lines],
            [b.booked_at for b, _ in lines],
            [u.reason for _, u in lines],
            [u.reason_code for _, u in lines],
            [json.dumps(dict(u.reason_params), ensure_ascii=False) for _, u in lines],
        )

    async def forget_unmatched(self, fair_id: UUID, identities: Sequence[str]) -> None:
        if identities:
            await self.conn.execute(
                "delete from unmatched_bank_lines where fair_id = $1 and bank_line = any($2::text[])",
                fair_id,
                list(identities),
            )

    async def unmatched(self, fair_id: UUID) -> list[UnmatchedLine]:
        rows = await self.conn.fetch(
            """select fair_id, line, amount, amount_vnd, description, transaction_id, booked_at,
                      reason, reason_code, reason_params, imported_by, imported_at
                 from unmatched_bank_lines where fair_id = $1
                order by imported_at, line, bank_line""",
            fair_id,
        )
        return [UnmatchedLine(**dict(r)) for r in rows]
