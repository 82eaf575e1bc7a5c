"""Each holder's sales and refunds at each fair, summed from the sales service's events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from uuid import UUID

import asyncpg

from ocop_registration.domain.holder_results import FairResult


class PostgresHolderResults:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add_sales(self, fair_id: UUID, gross: Mapping[UUID, int]) -> None:
        await self.conn.executemany(
            """insert into holder_results (fair_id, holder_id, sales, gross_vnd) values ($1, $2, 1, $3)
               on conflict (fair_id, holder_id) do update
               set sales = holder_results.sales + 1,
                   gross_vnd = holder_results.gross_vnd + excluded.gross_vnd""",
            [(fair_id, holder, amount) for holder, amount in gross.items()],
        )

    async def add_refunds(self, fair_id: UUID, refunded: Mapping[UUID, int]) -> None:
        await self.conn.executemany(
            """insert into holder_results (fair_id, holder_id, refunded_vnd) values ($1, $2, $3)
               on conflict (fair_id, holder_id) do update
               set refunded_vnd = holder_results.refunded_vnd + excluded.refunded_vnd""",
            [(fair_id, holder, amount) for holder, amount in refunded.items()],
        )

    async def history(self, holder_ids: Sequence[UUID]) -> dict[UUID, list[FairResult]]:
        rows = await self.conn.fetch(
            """select holder_id, fair_id, sales, gross_vnd, refunded_vnd from holder_results
                where holder_id = any($1::uuid[]) order by fair_id""",
            list(holder_ids),
        )
        out: dict[UUID, list[FairResult]] = {}
        for r in rows:
            out.setdefault(r["holder_id"], []).append(
                FairResult(r["fair_id"], r["sales"], r["gross_vnd"], r["refunded_vnd"])
            )
        return out
