"""Products suspended at one fair by its province's inspectors (issue 15): one row per fair
and product, its newest inspection decision there. The sale's read and write
(``tills.py``) and the till's catalogue read ``suspended_at`` like the catalog's
``blocked_at``."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from ocop_sales.domain.inspections import FairSuspension


class PostgresSuspensions:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def apply(self, s: FairSuspension) -> datetime | None:
        """Keeps the decision unless a newer one about the product at this fair is known;
        answers when it took effect (None: an older decision, ignored)."""
        applied_at: datetime | None = await self._conn.fetchval(
            """insert into fair_suspensions (fair_id, product_id, suspended_at, decided_at, inspection_id,
                                             processed_at)
               values ($1, $2, case when $3 then $4::timestamptz end, $4, $5, clock_timestamp())
               on conflict (fair_id, product_id) do update set
                   -- a suspension that goes on keeps its start; a pass ends it
                   suspended_at = case when excluded.suspended_at is null then null
                                       else coalesce(fair_suspensions.suspended_at, excluded.suspended_at) end,
                   decided_at = excluded.decided_at,
                   inspection_id = excluded.inspection_id, processed_at = excluded.processed_at
                where fair_suspensions.decided_at <= excluded.decided_at
               returning processed_at""",
            s.fair_id, s.product_id, s.suspended, s.decided_at, s.inspection_id,
        )  # fmt: skip
        return applied_at
