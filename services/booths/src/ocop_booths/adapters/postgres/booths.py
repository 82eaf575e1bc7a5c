"""The booth aggregate: a booth's use (``booths.blocked``), its occupant (``occupancy``) and
its audit trail (``booth_audit``).

``occupancy.booth_id`` is the primary key, so a booth has one occupant at most: two clients
racing for a free booth both try ``occupy``, one insert wins and the other finds the key
taken (``on conflict do nothing``), which the handler answers with a 409, never a 5xx.

A booth is never both blocked and occupied: ``get(..., lock=True)`` locks the booth's row
before it reads the occupant (in a statement of its own, so the occupant is read as committed
after the lock), and ``occupy`` takes a share lock on that row while it checks ``not blocked``.
A block waits for a hold in flight and then sees its occupant; a hold waits for a block in
flight and then sees the booth blocked.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from uuid import UUID

import asyncpg

from ocop_booths.application.ports import AuditRecord, HeldBooth
from ocop_booths.domain.booths import AuditEntry, Booth, Occupant
from ocop_booths.domain.fees import BilledBooth
from ocop_shared.db import NamedQuery

# A booth and its occupant. With ``lock``, the occupant's row is locked (and read again if a
# concurrent transaction changed or removed it meanwhile).
_BOOTH = """
select b.booth_id, b.fair_id, b.code, b.zone, b.booth_type, b.blocked,
       o.exhibitor_id, o.application_id, o.status, o.hold_expires_at, o.payment_due_at
  from booths b
  left join lateral (select * from occupancy where occupancy.booth_id = b.booth_id {lock}) o on true"""

OCCUPY = NamedQuery(
    """insert into occupancy (booth_id, fair_id, exhibitor_id, application_id, status, hold_expires_at, payment_due_at)
       select b.booth_id, b.fair_id, :exhibitor_id, :application_id, :status, :hold_expires_at, :payment_due_at
         from booths b
        where b.booth_id = :booth_id and b.fair_id = :fair_id and not b.blocked
          for share of b
       on conflict (booth_id) do nothing
       returning booth_id"""
)

MOVE = """
update occupancy set booth_id = $2
 where booth_id = $1
   and exists (select 1 from booths where booth_id = $2 and fair_id = occupancy.fair_id and not blocked)
   and not exists (select 1 from occupancy where booth_id = $2)
returning booth_id"""

# Both occupants change places in one statement: at no instant is a booth given twice.
SWAP = """
update occupancy o
   set exhibitor_id = x.exhibitor_id, application_id = x.application_id, status = x.status,
       hold_expires_at = x.hold_expires_at, payment_due_at = x.payment_due_at, since = now()
  from (select $2::uuid as target, exhibitor_id, application_id, status, hold_expires_at, payment_due_at
          from occupancy where booth_id = $1
        union all
        select $1::uuid, exhibitor_id, application_id, status, hold_expires_at, payment_due_at
          from occupancy where booth_id = $2) x
 where o.booth_id = x.target"""

AUDIT = """
insert into booth_audit (fair_id, booth_id, action, exhibitor_id, actor, reason, reason_code, reason_params)
select a.fair_id, a.booth_id, a.action, a.exhibitor_id, a.actor, a.reason, a.reason_code, a.reason_params::jsonb
  from unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[])
       as a (fair_id, booth_id, action, exhibitor_id, actor, reason, reason_code, reason_params)"""

PAST_DEADLINE = """
select booth_id from occupancy
 where (status = 'held' and hold_expires_at < now()) or (status = 'assigned' and payment_due_at < now())
 order by booth_id limit $1"""


def _booth(r: asyncpg.Record) -> Booth:
    occupant = None
    if r["status"] is not None:
        occupant = Occupant(
            fair_id=r["fair_id"],
            booth_id=r["booth_id"],
            booth_code=r["code"],
            zone=r["zone"],
            exhibitor_id=r["exhibitor_id"],
            application_id=r["application_id"],
            status=r["status"],
            hold_expires_at=r["hold_expires_at"],
            payment_due_at=r["payment_due_at"],
        )
    return Booth(
        booth_id=r["booth_id"],
        fair_id=r["fair_id"],
        code=r["code"],
        zone=r["zone"],
        booth_type=r["booth_type"],
        blocked=r["blocked"],
        occupant=occupant,
    )


class PostgresBooths:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    # --- reading ---------------------------------------------------------------------

    async def get(self, booth_id: UUID, *, lock: bool = False) -> Booth | None:
        if lock:
            await self.conn.execute("select 1 from booths where booth_id = $1 for update", booth_id)
        sql = _BOOTH.format(lock="for update" if lock else "") + " where b.booth_id = $1"
        row = await self.conn.fetchrow(sql, booth_id)
        return None if row is None else _booth(row)

    async def get_many(self, booth_ids: Sequence[UUID]) -> dict[UUID, Booth]:
        sql = _BOOTH.format(lock="") + " where b.booth_id = any($1::uuid[])"
        return {r["booth_id"]: _booth(r) for r in await self.conn.fetch(sql, list(booth_ids))}

    async def occupied_by(
        self, fair_id: UUID, exhibitor_id: UUID, *, unconfirmed: bool, lock: bool = False
    ) -> list[Booth]:
        statuses = ["held", "assigned"] if unconfirmed else ["held", "assigned", "confirmed"]
        rows = await self.conn.fetch(
            """select b.booth_id, b.fair_id, b.code, b.zone, b.booth_type, b.blocked,
                      o.exhibitor_id, o.application_id, o.status, o.hold_expires_at, o.payment_due_at
                 from occupancy o join booths b using (booth_id)
                where o.fair_id = $1 and o.exhibitor_id = $2 and o.status = any($3::text[])
                order by b.code"""
            + (" for update of o" if lock else ""),
            fair_id,
            exhibitor_id,
            statuses,
        )
        return [_booth(r) for r in rows]

    async def of_application(self, application_id: UUID) -> list[UUID]:
        rows = await self.conn.fetch(
            "select booth_id from occupancy where application_id = $1 order by booth_id",
            application_id,
        )
        return [r["booth_id"] for r in rows]

    async def count_of_application(self, application_id: UUID) -> int:
        count: int = await self.conn.fetchval(
            "select count(*) from occupancy where application_id = $1", application_id
        )
        return count

    async def occupancy_of_fair(self, fair_id: UUID) -> list[Occupant]:
        rows = await self.conn.fetch(
            """select o.fair_id, o.booth_id, b.code as booth_code, b.zone, o.exhibitor_id, o.application_id,
                      o.status, o.hold_expires_at, o.payment_due_at
                 from occupancy o join booths b using (booth_id) where o.fair_id = $1""",
            fair_id,
        )
        return [Occupant(**dict(r)) for r in rows]

    async def any_taken(self, fair_id: UUID) -> bool:
        taken: bool = await self.conn.fetchval(
            "select exists (select 1 from occupancy where fair_id = $1)", fair_id
        )
        return taken

    async def exhibitors(self, fair_id: UUID) -> list[UUID]:
        rows = await self.conn.fetch(
            "select distinct exhibitor_id from occupancy where fair_id = $1", fair_id
        )
        return [r["exhibitor_id"] for r in rows]

    async def billed(self, fair_id: UUID, exhibitor_id: UUID) -> list[BilledBooth]:
        rows = await self.conn.fetch(
            """select b.code, b.booth_type, b.price_vnd, o.status
                 from occupancy o join booths b using (booth_id)
                where o.fair_id = $1 and o.exhibitor_id = $2 order by b.code""",
            fair_id,
            exhibitor_id,
        )
        return [BilledBooth(r["code"], r["booth_type"], r["price_vnd"], r["status"]) for r in rows]

    async def of_exhibitor(self, fair_id: UUID, exhibitor_id: UUID) -> list[HeldBooth]:
        rows = await self.conn.fetch(
            """select o.booth_id, b.code, b.zone, b.booth_type, o.status, o.hold_expires_at, o.payment_due_at
                 from occupancy o join booths b using (booth_id)
                where o.fair_id = $1 and o.exhibitor_id = $2 order by b.code""",
            fair_id,
            exhibitor_id,
        )
        return [HeldBooth(**dict(r)) for r in rows]

    async def past_deadline(self, limit: int) -> list[UUID]:
        return [r["booth_id"] for r in await self.conn.fetch(PAST_DEADLINE, limit)]

    async def history(self, booth_id: UUID) -> list[AuditRecord]:
        rows = await self.conn.fetch(
            """select action, exhibitor_id, actor, reason, at, reason_code, reason_params
                 from booth_audit where booth_id = $1 order by id""",
            booth_id,
        )
        return [AuditRecord(**dict(r)) for r in rows]

    # --- writing ---------------------------------------------------------------------

    async def occupy(self, booth: Booth) -> bool:
        o = booth.occupant
        assert o is not None, "occupy a booth with its new occupant"
        row = await self.conn.fetchval(
            OCCUPY.sql,
            *OCCUPY.args(
                booth_id=o.booth_id,
                fair_id=o.fair_id,
                exhibitor_id=o.exhibitor_id,
                application_id=o.application_id,
                status=o.status,
                hold_expires_at=o.hold_expires_at,
                payment_due_at=o.payment_due_at,
            ),
        )
        return row is not None

    async def vacate(self, booth_id: UUID) -> None:
        await self.conn.execute("delete from occupancy where booth_id = $1", booth_id)

    async def update_occupant(self, o: Occupant) -> None:
        await self.conn.execute(
            """update occupancy set status = $2, hold_expires_at = $3, payment_due_at = $4
                where booth_id = $1""",
            o.booth_id,
            o.status,
            o.hold_expires_at,
            o.payment_due_at,
        )

    async def move_occupant(self, from_booth: UUID, to_booth: UUID) -> bool:
        return await self.conn.fetchval(MOVE, from_booth, to_booth) is not None

    async def swap_occupants(self, a: UUID, b: UUID) -> None:
        await self.conn.execute(SWAP, a, b)

    async def set_blocked(self, booth_id: UUID, blocked: bool) -> None:
        await self.conn.execute(
            "update booths set blocked = $2 where booth_id = $1", booth_id, blocked
        )

    async def audit(self, entries: Sequence[AuditEntry]) -> None:
        if entries:
            await self.conn.execute(
                AUDIT,
                [e.fair_id for e in entries],
                [e.booth_id for e in entries],
                [e.action for e in entries],
                [e.exhibitor_id for e in entries],
                [e.actor for e in entries],
                [e.reason for e in entries],
                [e.reason_code for e in entries],
                [json.dumps(dict(e.reason_params), ensure_ascii=False) for e in entries],
            )
