"""Visitors counted at the gates of a fair (issue 15), per day."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg

from ocop_registration.domain.visitors import VisitorCount

COLUMNS = ("count_id, fair_id, day, increment, gate, recorded_by_org, recorded_by, recorded_at,"
           " content_hash")  # fmt: skip


class PostgresVisitors:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def get(self, count_id: UUID) -> VisitorCount | None:
        row = await self.conn.fetchrow(
            f"select {COLUMNS} from visitor_counts where count_id = $1", count_id
        )
        return VisitorCount(**dict(row)) if row else None

    async def lock_day(self, fair_id: UUID, day: date) -> int:
        """The day's total so far; concurrent counts of one fair and day wait for each other
        (a transaction-scoped advisory lock), so a correction never takes it below zero."""
        await self.conn.execute(
            "select pg_advisory_xact_lock(hashtextextended($1::text || $2::text, 15))",
            str(fair_id),
            day.isoformat(),
        )
        total: int = await self.conn.fetchval(
            "select coalesce(sum(increment), 0) from visitor_counts where fair_id = $1 and day = $2",
            fair_id,
            day,
        )
        return total

    async def add(self, c: VisitorCount) -> bool:
        inserted = await self.conn.fetchval(
            f"""insert into visitor_counts ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                on conflict (count_id) do nothing returning true""",
            c.count_id, c.fair_id, c.day, c.increment, c.gate, c.recorded_by_org, c.recorded_by,
            c.recorded_at, c.content_hash,
        )  # fmt: skip
        return bool(inserted)

    async def of_fair(self, fair_id: UUID) -> list[VisitorCount]:
        rows = await self.conn.fetch(
            f"select {COLUMNS} from visitor_counts where fair_id = $1 order by day, recorded_at",
            fair_id,
        )
        return [VisitorCount(**dict(r)) for r in rows]
