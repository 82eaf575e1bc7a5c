"""A fair's rules for its tills (``till_rules``; absent: the defaults)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from ocop_sales.domain.terminals import TillRules

_FIELDS = (
    "offline_max_hours",
    "offline_max_sale_vnd",
    "offline_max_unsynced_vnd",
    "offline_max_unsynced_count",
    "max_discount_percent",
)


class PostgresTillRules:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def get(self, fair_id: UUID) -> TillRules | None:
        row = await self._conn.fetchrow(
            f"select {', '.join(_FIELDS)} from till_rules where fair_id = $1", fair_id
        )
        return TillRules(**row) if row else None

    async def save(self, fair_id: UUID, rules: TillRules, by: str) -> None:
        r = rules
        await self._conn.execute(
            """insert into till_rules (fair_id, offline_max_hours, offline_max_sale_vnd, offline_max_unsynced_vnd,
                                       offline_max_unsynced_count, max_discount_percent, updated_by)
               values ($1, $2, $3, $4, $5, $6, $7)
               on conflict (fair_id) do update set offline_max_hours = excluded.offline_max_hours,
                   offline_max_sale_vnd = excluded.offline_max_sale_vnd,
                   offline_max_unsynced_vnd = excluded.offline_max_unsynced_vnd,
                   offline_max_unsynced_count = excluded.offline_max_unsynced_count,
                   max_discount_percent = excluded.max_discount_percent,
                   updated_by = excluded.updated_by, updated_at = now()""",
            fair_id, r.offline_max_hours, r.offline_max_sale_vnd, r.offline_max_unsynced_vnd,
            r.offline_max_unsynced_count, r.max_discount_percent, by,
        )  # fmt: skip
