"""Taking, releasing and confirming booths. Every change writes its audit row and its event
in the caller's transaction; the occupancy primary key makes a double booking impossible."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from ocop_booths.domain.fees import FeeRules, fee_lines
from ocop_shared.contracts.booths import (
    BoothAssigned,
    BoothBlocked,
    BoothConfirmed,
    BoothHeld,
    BoothMoved,
    BoothReleased,
    BoothUnblocked,
    Occupancy,
)
from ocop_shared.errors import Conflict, NotFound
from ocop_shared.events import Event
from ocop_shared.logging import get_logger
from ocop_shared.outbox import Causation, append

log = get_logger(__name__)

_OCCUPANCY = """select o.booth_id, o.fair_id, b.code as booth_code, b.zone, o.exhibitor_id, o.application_id, o.status,
       o.hold_expires_at, o.payment_due_at
  from occupancy o join booths b using (booth_id)"""


def snapshot(row: asyncpg.Record) -> Occupancy:
    return Occupancy.model_validate(dict(row))


async def emit(conn: asyncpg.Connection, events: list[Event], cause: Causation) -> None:
    await append(conn, events, producer="booths", cause=cause)


async def audit(
    conn: asyncpg.Connection, o: Occupancy, action: str, actor: str, reason: str
) -> None:
    await conn.execute(
        "insert into booth_audit (fair_id, booth_id, action, exhibitor_id, actor, reason) values ($1, $2, $3, $4, $5, $6)",
        o.fair_id, o.booth_id, action, o.exhibitor_id, actor, reason,
    )  # fmt: skip


async def take(
    conn: asyncpg.Connection,
    *,
    booth_id: UUID,
    application_id: UUID,
    exhibitor_id: UUID,
    fair_id: UUID,
    status: str,
    hold_expires_at: datetime | None,
    payment_due_at: datetime | None,
    actor: str,
    reason: str,
    cause: Causation,
) -> Occupancy | None:
    """Gives a free, unblocked booth to an exhibitor; None if someone has it already."""
    row = await conn.fetchrow(
        """insert into occupancy (booth_id, fair_id, exhibitor_id, application_id, status, hold_expires_at, payment_due_at)
           select b.booth_id, $2, $3, $4, $5, $6, $7 from booths b
            where b.booth_id = $1 and b.fair_id = $2 and not b.blocked
           on conflict (booth_id) do nothing returning booth_id""",
        booth_id, fair_id, exhibitor_id, application_id, status, hold_expires_at, payment_due_at,
    )  # fmt: skip
    if row is None:
        return None
    o = snapshot(await conn.fetchrow(_OCCUPANCY + " where o.booth_id = $1", booth_id))
    await audit(conn, o, status, actor, reason)
    event: Event = (
        BoothHeld(occupancy=o, reason=reason, actor=actor)
        if status == "held"
        else BoothAssigned(occupancy=o, reason=reason, actor=actor)
    )
    await emit(conn, [event], cause)
    return o


async def release(
    conn: asyncpg.Connection,
    booth_id: UUID,
    *,
    reason: str,
    actor: str,
    cause: Causation,
    only_status: tuple[str, ...] = ("held", "assigned", "confirmed"),
    expired_before: datetime | None = None,
    offer: bool = True,
) -> Occupancy | None:
    """Frees a booth (if it is in one of ``only_status``), then offers it to the waitlist once."""
    row = await conn.fetchrow(
        _OCCUPANCY + " where o.booth_id = $1 and o.status = any($2::text[]) for update of o",
        booth_id, list(only_status),
    )  # fmt: skip
    if row is None:
        return None
    o = snapshot(row)
    if expired_before is not None:
        deadline = o.hold_expires_at if o.status == "held" else o.payment_due_at
        if deadline is None or deadline >= expired_before:
            return None
    await conn.execute("delete from occupancy where booth_id = $1", booth_id)
    await audit(conn, o, "released", actor, reason)
    await emit(conn, [BoothReleased(occupancy=o, reason=reason, actor=actor)], cause)
    if offer:
        await offer_to_waitlist(conn, o.fair_id, booth_id, cause)
    return o


async def offer_to_waitlist(
    conn: asyncpg.Connection, fair_id: UUID, booth_id: UUID, cause: Causation
) -> Occupancy | None:
    """Offers a freed booth to the best-ranked waiting application that wants its type."""
    booth = await conn.fetchrow(
        "select booth_type, blocked from booths where booth_id = $1", booth_id
    )
    if booth is None or booth["blocked"]:
        return None
    candidate = await conn.fetchrow(
        """select w.application_id, w.rank, a.exhibitor_id from waitlist w join applications a using (application_id)
            where w.fair_id = $1 and w.status in ('waiting', 'offered') and a.status = 'approved'
              and coalesce(a.booth_request->>'booth_type', 'standard') = $2
              and (select count(*) from occupancy o where o.application_id = w.application_id)
                  < coalesce((a.booth_request->>'count')::int, 1)
            order by w.rank limit 1 for update of w skip locked""",
        fair_id, booth["booth_type"],
    )  # fmt: skip
    if candidate is None:
        return None
    minutes = int(
        await conn.fetchval(
            "select coalesce((rules->>'waitlist_offer_minutes')::int, 60) from fairs where fair_id = $1",
            fair_id,
        )
        or 60
    )
    o = await take(
        conn, booth_id=booth_id, application_id=candidate["application_id"], exhibitor_id=candidate["exhibitor_id"], fair_id=fair_id,
        status="held", hold_expires_at=await _now(conn) + timedelta(minutes=minutes), payment_due_at=None,
        actor="waitlist", reason=f"offered from the waitlist (rank {candidate['rank']})", cause=cause,
    )  # fmt: skip
    if o is not None:
        await conn.execute(
            "update waitlist set status = 'offered', offered_booth = $3, offered_at = now() where fair_id = $1 and application_id = $2",
            fair_id,
            candidate["application_id"],
            booth_id,
        )
    return o


async def _now(conn: asyncpg.Connection) -> datetime:
    moment: datetime = await conn.fetchval("select now()")
    return moment


async def move(
    conn: asyncpg.Connection,
    from_booth: UUID,
    to_booth: UUID,
    *,
    actor: str,
    reason: str,
    cause: Causation,
) -> Occupancy:
    row = await conn.fetchrow(_OCCUPANCY + " where o.booth_id = $1 for update of o", from_booth)
    if row is None:
        raise Conflict("nobody occupies that booth", field="booth_id")
    moved = await conn.fetchval(
        """update occupancy set booth_id = $2 where booth_id = $1
              and exists (select 1 from booths where booth_id = $2 and fair_id = occupancy.fair_id and not blocked)
              and not exists (select 1 from occupancy where booth_id = $2)
           returning booth_id""",
        from_booth, to_booth,
    )  # fmt: skip
    if moved is None:
        raise Conflict("the target booth is taken, blocked or at another fair", field="to_booth_id")
    before = snapshot(row)
    after = snapshot(await conn.fetchrow(_OCCUPANCY + " where o.booth_id = $1", to_booth))
    await audit(conn, after, "moved", actor, f"{reason} (from {before.booth_code})")
    await emit(
        conn,
        [
            BoothMoved(
                occupancy=after,
                reason=reason,
                actor=actor,
                from_booth_id=before.booth_id,
                from_booth_code=before.booth_code,
            )
        ],
        cause,
    )
    return after


def payment_reference(fair_id: UUID, exhibitor_id: UUID) -> str:
    """A short code the exhibitor puts in the transfer, so a bank statement can be matched."""
    return "OCOP" + hashlib.sha256(f"{fair_id}:{exhibitor_id}".encode()).hexdigest()[:8].upper()


async def statement(
    conn: asyncpg.Connection | asyncpg.Pool, fair_id: UUID, exhibitor_id: UUID
) -> dict[str, Any]:
    rules = await conn.fetchval("select rules from fairs where fair_id = $1", fair_id) or {}
    fee_rules = FeeRules(
        corner_surcharge_percent=int(rules.get("corner_surcharge_percent", 10)),
        subsidy_percent=int(rules.get("subsidy_percent", 0)),
        subsidy_max_booths=int(rules.get("subsidy_max_booths", 0)),
    )
    booths = await conn.fetch(
        "select b.code, b.booth_type, b.price_vnd, o.status from occupancy o join booths b using (booth_id) where o.fair_id = $1 and o.exhibitor_id = $2 order by b.code",
        fair_id, exhibitor_id,
    )  # fmt: skip
    lines = fee_lines([(b["code"], b["booth_type"], b["price_vnd"]) for b in booths], fee_rules)
    paid = int(
        await conn.fetchval(
            "select coalesce(sum(amount_vnd), 0) from payments where fair_id = $1 and exhibitor_id = $2",
            fair_id,
            exhibitor_id,
        )
    )
    due = sum(line.due_vnd for line in lines)
    status = {b["code"]: b["status"] for b in booths}
    return {
        "fair_id": str(fair_id),
        "exhibitor_id": str(exhibitor_id),
        "lines": [{**asdict(line), "status": status[line.booth_code]} for line in lines],
        "due_vnd": due,
        "paid_vnd": paid,
        "balance_vnd": due - paid,
        "payment_reference": payment_reference(fair_id, exhibitor_id),
    }


async def confirm_paid(
    conn: asyncpg.Connection, fair_id: UUID, exhibitor_id: UUID, *, actor: str, cause: Causation
) -> list[str]:
    """Confirms the exhibitor's held or assigned booths that its payments now cover."""
    rows = await conn.fetch(
        _OCCUPANCY + " where o.fair_id = $1 and o.exhibitor_id = $2 and o.status in ('held', 'assigned') order by b.code for update of o",
        fair_id, exhibitor_id,
    )  # fmt: skip
    if not rows:
        return []
    current = await statement(conn, fair_id, exhibitor_id)
    if current["balance_vnd"] > 0:
        return []
    confirmed = []
    for row in rows:
        o = snapshot(row)
        await conn.execute(
            "update occupancy set status = 'confirmed', hold_expires_at = null, payment_due_at = null where booth_id = $1",
            o.booth_id,
        )
        done = o.model_copy(
            update={"status": "confirmed", "hold_expires_at": None, "payment_due_at": None}
        )
        await audit(conn, done, "confirmed", actor, "paid")
        await emit(conn, [BoothConfirmed(occupancy=done, reason="paid", actor=actor)], cause)
        await conn.execute(
            "update waitlist set status = 'placed' where fair_id = $1 and application_id = $2",
            fair_id,
            o.application_id,
        )
        confirmed.append(o.booth_code)
    return confirmed


async def swap(
    conn: asyncpg.Connection,
    booth_a: UUID,
    booth_b: UUID,
    *,
    actor: str,
    reason: str,
    cause: Causation,
) -> list[Occupancy]:
    """Exchanges the occupants of two booths in one statement: no instant with a booth twice given."""
    rows = await conn.fetch(
        _OCCUPANCY + " where o.booth_id = any($1::uuid[]) order by o.booth_id for update of o",
        [booth_a, booth_b],
    )
    if booth_a == booth_b or len(rows) != 2:
        raise Conflict(
            "swap needs two occupied booths; move an exhibitor to a free one instead",
            field="other_booth_id",
        )
    before = {r["booth_id"]: snapshot(r) for r in rows}
    if before[booth_a].fair_id != before[booth_b].fair_id:
        raise Conflict("the booths are at different fairs", field="other_booth_id")
    await conn.execute(
        """update occupancy o set exhibitor_id = x.exhibitor_id, application_id = x.application_id, status = x.status,
                  hold_expires_at = x.hold_expires_at, payment_due_at = x.payment_due_at, since = now()
             from (select $2::uuid as target, exhibitor_id, application_id, status, hold_expires_at, payment_due_at
                     from occupancy where booth_id = $1
                   union all
                   select $1::uuid, exhibitor_id, application_id, status, hold_expires_at, payment_due_at
                     from occupancy where booth_id = $2) x
            where o.booth_id = x.target""",
        booth_a, booth_b,
    )  # fmt: skip
    after = [
        snapshot(r)
        for r in await conn.fetch(
            _OCCUPANCY + " where o.booth_id = any($1::uuid[]) order by o.booth_id",
            [booth_a, booth_b],
        )
    ]
    events: list[Event] = []
    for o in after:
        origin = before[booth_b if o.booth_id == booth_a else booth_a]
        await audit(conn, o, "moved", actor, f"{reason} (swapped with {origin.booth_code})")
        events.append(
            BoothMoved(
                occupancy=o,
                reason=reason,
                actor=actor,
                from_booth_id=origin.booth_id,
                from_booth_code=origin.booth_code,
            )
        )
    await emit(conn, events, cause)
    return after


async def set_blocked(
    conn: asyncpg.Connection,
    fair_id: UUID,
    booth_id: UUID,
    blocked: bool,
    *,
    actor: str,
    reason: str,
    cause: Causation,
) -> dict[str, str]:
    booth = await conn.fetchrow(
        "update booths set blocked = $3 where booth_id = $1 and fair_id = $2 returning code",
        booth_id,
        fair_id,
        blocked,
    )
    if booth is None:
        raise NotFound("no such booth")
    if blocked:
        await release(
            conn, booth_id, reason=f"booth blocked: {reason}", actor=actor, cause=cause, offer=False
        )
    change = BoothBlocked if blocked else BoothUnblocked
    await emit(
        conn,
        [
            change(
                fair_id=fair_id,
                booth_id=booth_id,
                booth_code=booth["code"],
                reason=reason,
                actor=actor,
            )
        ],
        cause,
    )
    await conn.execute(
        "insert into booth_audit (fair_id, booth_id, action, actor, reason) values ($1, $2, $3, $4, $5)",
        fair_id, booth_id, "blocked" if blocked else "unblocked", actor, reason,
    )  # fmt: skip
    if not blocked:
        await offer_to_waitlist(conn, fair_id, booth_id, cause)
    return {"booth": booth["code"], "state": "blocked" if blocked else "available"}
