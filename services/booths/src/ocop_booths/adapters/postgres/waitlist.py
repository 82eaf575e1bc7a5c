"""The waitlist of a fair (``waitlist``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from uuid import UUID

import asyncpg

from ocop_booths.application.ports import Candidate, WaitlistEntry, WaitlistRow

RANK = """
insert into waitlist (fair_id, application_id, rank, reason, reason_code, reason_params)
select $1, w.application_id, w.rank, w.reason, w.reason_code, w.reason_params::jsonb
  from unnest($2::uuid[], $3::int[], $4::text[], $5::text[], $6::text[])
       as w (application_id, rank, reason, reason_code, reason_params)
on conflict (fair_id, application_id) do update
   set rank = excluded.rank, reason = excluded.reason, reason_code = excluded.reason_code,
       reason_params = excluded.reason_params, status = 'waiting'"""

# Skips rows another transaction is offering right now: two booths freed at once go to two
# candidates, not both to the first. Whether a candidate has room for one more booth is the
# domain's decision (``Application.room``); those it passed over are skipped ($3).
NEXT_CANDIDATE = """
select w.application_id, w.rank, a.exhibitor_id
  from waitlist w join applications a using (application_id)
 where w.fair_id = $1 and w.status in ('waiting', 'offered') and a.status = 'approved'
   and coalesce(a.booth_request->>'booth_type', 'standard') = $2
   and not (w.application_id = any($3::uuid[]))
 order by w.rank limit 1
   for update of w skip locked"""


class PostgresWaitlist:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def rank(self, fair_id: UUID, entries: Sequence[WaitlistEntry]) -> None:
        if entries:
            await self.conn.execute(
                RANK,
                fair_id,
                [e.application_id for e in entries],
                [e.rank for e in entries],
                [e.reason for e in entries],
                [e.reason_code for e in entries],
                [json.dumps(dict(e.reason_params), ensure_ascii=False) for e in entries],
            )

    async def leave(self, application_id: UUID) -> None:
        await self.conn.execute(
            "update waitlist set status = 'left' where application_id = $1", application_id
        )

    async def next_candidate(
        self, fair_id: UUID, booth_type: str, *, passed: Sequence[UUID] = ()
    ) -> Candidate | None:
        row = await self.conn.fetchrow(NEXT_CANDIDATE, fair_id, booth_type, list(passed))
        if row is None:
            return None
        return Candidate(row["application_id"], row["exhibitor_id"], row["rank"])

    async def mark_offered(self, fair_id: UUID, application_id: UUID, booth_id: UUID) -> None:
        await self.conn.execute(
            """update waitlist set status = 'offered', offered_booth = $3, offered_at = now()
                where fair_id = $1 and application_id = $2""",
            fair_id,
            application_id,
            booth_id,
        )

    async def mark_placed(self, fair_id: UUID, application_id: UUID) -> None:
        await self.conn.execute(
            "update waitlist set status = 'placed' where fair_id = $1 and application_id = $2",
            fair_id,
            application_id,
        )

    async def of_fair(self, fair_id: UUID) -> list[WaitlistRow]:
        rows = await self.conn.fetch(
            """select w.fair_id, w.application_id, a.exhibitor_name, w.rank, w.reason, w.status,
                      w.offered_booth, w.offered_at, w.reason_code, w.reason_params
                 from waitlist w join applications a using (application_id)
                where w.fair_id = $1 order by w.rank""",
            fair_id,
        )
        return [WaitlistRow(**dict(r)) for r in rows]
