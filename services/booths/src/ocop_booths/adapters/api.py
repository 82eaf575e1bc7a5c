"""HTTP routes of the booths service."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, File, Request, UploadFile
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from ocop_booths.adapters import occupancy
from ocop_booths.domain import allocation, floorplan
from ocop_booths.domain.fees import vietqr_payload
from ocop_shared import auth
from ocop_shared.contracts.booths import (
    AllocationCommitted,
    BoothSnapshot,
    FloorPlanPublished,
    ZoneSnapshot,
)
from ocop_shared.db import transact
from ocop_shared.errors import Conflict, InvalidField, NotFound
from ocop_shared.outbox import Causation
from ocop_shared.service import get_service, request_cause, require

T = TypeVar("T")
router = APIRouter()
Organizer = Annotated[auth.Principal, Depends(require("organizer"))]
Exhibitor = Annotated[auth.Principal, Depends(require("exhibitor"))]
Anyone = Annotated[auth.Principal, Depends(require("organizer", "exhibitor"))]
Cause = Annotated[Causation, Depends(request_cause)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ZoneIn(Strict, ZoneSnapshot):
    pass


class BoothIn(Strict):
    code: Annotated[str, Field(min_length=1, max_length=20)]
    zone: str
    booth_type: Literal["standard", "corner", "premium", "outdoor"] = "standard"
    width_m: float
    depth_m: float
    price_vnd: StrictInt
    x: float
    y: float
    open_sides: int = 1


class FloorPlanIn(Strict):
    zones: Annotated[list[ZoneIn], Field(min_length=1)]
    booths: Annotated[list[BoothIn], Field(min_length=1, max_length=5000)]


class HoldIn(Strict):
    booth_id: UUID


class MoveIn(Strict):
    to_booth_id: UUID
    reason: Annotated[str, Field(min_length=1, max_length=300)]


class BlockIn(Strict):
    reason: Annotated[str, Field(min_length=1, max_length=300)]


class PaymentIn(Strict):
    exhibitor_id: UUID
    amount_vnd: Annotated[StrictInt, Field(gt=0)]
    reference: Annotated[str, Field(min_length=1, max_length=120)]


async def run(request: Request, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    return await transact(get_service(request).pool, work)


async def own_fair(
    conn: asyncpg.Connection | asyncpg.Pool,
    fair_id: UUID,
    principal: auth.Principal,
    *,
    lock: bool = False,
) -> asyncpg.Record:
    fair = await conn.fetchrow(
        "select * from fairs where fair_id = $1" + (" for update" if lock else ""), fair_id
    )
    if fair is None or not (principal.is_admin or fair["organizer_id"] == principal.subject):
        raise NotFound("no such fair")
    return fair


def settings_of(request: Request) -> Any:
    return get_service(request).settings


# --- floor plans ------------------------------------------------------------------------


@router.put("/fairs/{fair_id}/floorplan", tags=["floor plans"])
async def import_floorplan(
    fair_id: UUID, body: FloorPlanIn, request: Request, principal: Organizer, cause: Cause
) -> dict[str, Any]:
    """Loads (or replaces, while no booth is taken) a fair's floor plan as JSON."""
    zones = [ZoneSnapshot(**z.model_dump()) for z in body.zones]
    booths = [BoothSnapshot(booth_id=uuid.uuid4(), **b.model_dump()) for b in body.booths]
    floorplan.validate(zones, booths)

    async def work(conn: asyncpg.Connection) -> dict[str, Any]:
        await own_fair(conn, fair_id, principal, lock=True)
        if await conn.fetchval(
            "select exists (select 1 from occupancy where fair_id = $1)", fair_id
        ):
            raise Conflict(
                "booths are already taken: move or release them before replacing the plan",
                field="booths",
            )
        await conn.execute("delete from booths where fair_id = $1", fair_id)
        await conn.execute("delete from zones where fair_id = $1", fair_id)
        await conn.executemany(
            "insert into zones (fair_id, code, name, kind, product_groups) values ($1, $2, $3, $4, $5)",
            [(fair_id, z.code, z.name, z.kind, z.product_groups) for z in zones],
        )
        await conn.executemany(
            "insert into booths (booth_id, fair_id, code, zone, booth_type, width_m, depth_m, price_vnd, x, y, open_sides) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            [
                (
                    b.booth_id,
                    fair_id,
                    b.code,
                    b.zone,
                    b.booth_type,
                    b.width_m,
                    b.depth_m,
                    b.price_vnd,
                    b.x,
                    b.y,
                    b.open_sides,
                )
                for b in booths
            ],
        )
        await occupancy.emit(
            conn, [FloorPlanPublished(fair_id=fair_id, zones=zones, booths=booths)], cause
        )
        return {"fair_id": str(fair_id), "zones": len(zones), "booths": len(booths)}

    return await run(request, work)


async def load_plan(
    conn: asyncpg.Connection | asyncpg.Pool, fair_id: UUID
) -> tuple[list[ZoneSnapshot], list[BoothSnapshot]]:
    zones = [
        ZoneSnapshot(
            code=r["code"], name=r["name"], kind=r["kind"], product_groups=r["product_groups"]
        )
        for r in await conn.fetch("select * from zones where fair_id = $1 order by code", fair_id)
    ]
    booths = [
        BoothSnapshot(
            booth_id=r["booth_id"],
            code=r["code"],
            zone=r["zone"],
            booth_type=r["booth_type"],
            width_m=float(r["width_m"]),
            depth_m=float(r["depth_m"]),
            price_vnd=r["price_vnd"],
            x=float(r["x"]),
            y=float(r["y"]),
            open_sides=r["open_sides"],
            blocked=r["blocked"],
        )
        for r in await conn.fetch("select * from booths where fair_id = $1 order by code", fair_id)
    ]
    return zones, booths


@router.get("/fairs/{fair_id}/floorplan", tags=["floor plans"])
async def export_floorplan(fair_id: UUID, request: Request, principal: Anyone) -> dict[str, Any]:
    """The plan as JSON (importable again), with each booth's state and its neighbours.
    Exhibitors see which booths are free, not who holds the others."""
    pool = get_service(request).pool
    zones, booths = await load_plan(pool, fair_id)
    if not booths:
        raise NotFound("no floor plan for this fair")
    taken = {
        r["booth_id"]: r
        for r in await pool.fetch(
            "select booth_id, status, exhibitor_id from occupancy where fair_id = $1", fair_id
        )
    }
    organizer = principal.role == "organizer" or principal.is_admin
    if organizer:
        await own_fair(pool, fair_id, principal)
    graph = floorplan.adjacency(booths)
    code = {b.booth_id: b.code for b in booths}
    out = []
    for b in booths:
        row = b.model_dump(mode="json", exclude={"booth_id", "blocked"})
        t = taken.get(b.booth_id)
        mine = t is not None and str(t["exhibitor_id"]) == principal.subject
        state = (
            "blocked"
            if b.blocked
            else (
                t["status"]
                if t is not None and (organizer or mine)
                else "taken"
                if t is not None
                else "available"
            )
        )
        row |= {
            "booth_id": str(b.booth_id),
            "state": state,
            "neighbours": sorted(code[n] for n in graph.get(b.booth_id, ())),
        }
        if organizer and t is not None:
            row["exhibitor_id"] = str(t["exhibitor_id"])
        out.append(row)
    return {"fair_id": str(fair_id), "zones": [z.model_dump() for z in zones], "booths": out}


@router.post("/fairs/{fair_id}/booths/{booth_id}/block", tags=["floor plans"])
async def block_booth(
    fair_id: UUID,
    booth_id: UUID,
    body: BlockIn,
    request: Request,
    principal: Organizer,
    cause: Cause,
) -> dict[str, str]:
    """Takes a booth out of use (its occupant, if any, loses it)."""

    async def work(conn: asyncpg.Connection) -> dict[str, str]:
        await own_fair(conn, fair_id, principal)
        return await occupancy.set_blocked(
            conn, fair_id, booth_id, True, actor=principal.subject, reason=body.reason, cause=cause
        )

    return await run(request, work)


@router.post("/fairs/{fair_id}/booths/{booth_id}/unblock", tags=["floor plans"])
async def unblock_booth(
    fair_id: UUID,
    booth_id: UUID,
    body: BlockIn,
    request: Request,
    principal: Organizer,
    cause: Cause,
) -> dict[str, str]:
    """Puts a booth back in use and offers it to the waitlist."""

    async def work(conn: asyncpg.Connection) -> dict[str, str]:
        await own_fair(conn, fair_id, principal)
        return await occupancy.set_blocked(
            conn, fair_id, booth_id, False, actor=principal.subject, reason=body.reason, cause=cause
        )

    return await run(request, work)


@router.post("/fairs/{fair_id}/booths/{booth_id}/move", tags=["floor plans"])
async def move_booth(
    fair_id: UUID,
    booth_id: UUID,
    body: MoveIn,
    request: Request,
    principal: Organizer,
    cause: Cause,
) -> dict[str, Any]:
    async def work(conn: asyncpg.Connection) -> dict[str, Any]:
        await own_fair(conn, fair_id, principal)
        moved = await occupancy.move(
            conn,
            booth_id,
            body.to_booth_id,
            actor=principal.subject,
            reason=body.reason,
            cause=cause,
        )
        await occupancy.offer_to_waitlist(conn, fair_id, booth_id, cause)
        return moved.model_dump(mode="json")

    return await run(request, work)


class SwapIn(Strict):
    other_booth_id: UUID
    reason: Annotated[str, Field(min_length=1, max_length=300)]


@router.post("/fairs/{fair_id}/booths/{booth_id}/swap", tags=["floor plans"])
async def swap_booths(
    fair_id: UUID,
    booth_id: UUID,
    body: SwapIn,
    request: Request,
    principal: Organizer,
    cause: Cause,
) -> list[dict[str, Any]]:
    """Exchanges the exhibitors of two occupied booths, with audit and events."""

    async def work(conn: asyncpg.Connection) -> list[dict[str, Any]]:
        await own_fair(conn, fair_id, principal)
        swapped = await occupancy.swap(
            conn,
            booth_id,
            body.other_booth_id,
            actor=principal.subject,
            reason=body.reason,
            cause=cause,
        )
        if any(o.fair_id != fair_id for o in swapped):
            raise NotFound("no such booth at this fair")
        return [o.model_dump(mode="json") for o in swapped]

    return await run(request, work)


@router.get("/fairs/{fair_id}/booths/{booth_id}/history", tags=["floor plans"])
async def booth_history(
    fair_id: UUID, booth_id: UUID, request: Request, principal: Organizer
) -> list[dict[str, Any]]:
    pool = get_service(request).pool
    await own_fair(pool, fair_id, principal)
    rows = await pool.fetch(
        "select action, exhibitor_id, actor, reason, at from booth_audit where booth_id = $1 order by id",
        booth_id,
    )
    return [dict(r) for r in rows]


# --- allocation -------------------------------------------------------------------------


def _applicant(r: asyncpg.Record) -> allocation.Applicant:
    req = r["booth_request"]
    return allocation.Applicant(
        application_id=r["application_id"], exhibitor_id=r["exhibitor_id"], exhibitor_name=r["exhibitor_name"], star=r["best_star"],
        submitted_at=r["submitted_at"], count=int(req.get("count", 1)), booth_type=req.get("booth_type", "standard"), zone=req.get("zone"),
        product_group=req.get("product_group"), product_groups=frozenset(r["product_groups"]), province=r["province"], delegation=r["exhibitor_kind"] == "delegation", holders=r["holder_count"],
    )  # fmt: skip


@router.post("/fairs/{fair_id}/allocations", status_code=201, tags=["allocation"])
async def propose_allocation(
    fair_id: UUID, request: Request, principal: Organizer
) -> dict[str, Any]:
    """Runs the engine over free booths and approved applications without booths; the
    proposal is stored for review and changes nothing until committed."""
    pool = get_service(request).pool
    fair = await own_fair(pool, fair_id, principal)
    zones, booths = await load_plan(pool, fair_id)
    if not booths:
        raise Conflict("load the floor plan first", field="fair_id")
    taken = {
        r["booth_id"]
        for r in await pool.fetch("select booth_id from occupancy where fair_id = $1", fair_id)
    }
    free = [
        allocation.Slot(b.booth_id, b.code, b.zone, b.booth_type, b.x, b.y)
        for b in booths
        if not b.blocked and b.booth_id not in taken
    ]
    rows = await pool.fetch(
        "select * from applications a where fair_id = $1 and status = 'approved' and not exists (select 1 from occupancy o where o.application_id = a.application_id)",
        fair_id,
    )
    applicants = [_applicant(r) for r in rows]
    engine_zones = [allocation.Zone(z.code, z.kind, frozenset(z.product_groups)) for z in zones]
    adjacent = floorplan.adjacency(booths)
    max_booths = int(fair["rules"].get("max_booths_per_holder", 2))
    proposal = allocation.allocate(applicants, engine_zones, free, adjacent, max_booths=max_booths)
    baseline = allocation.objective_of(
        allocation.greedy(applicants, engine_zones, free, max_booths), applicants, engine_zones
    )
    run_id = uuid.uuid4()
    body = {
        "run_id": str(run_id),
        "fair_id": str(fair_id),
        "solver": proposal.solver,
        "objective": proposal.objective,
        "greedy_objective": baseline,
        "seconds": proposal.seconds,
        "placements": [
            {
                **p.__dict__,
                "application_id": str(p.application_id),
                "exhibitor_id": str(p.exhibitor_id),
                "booth_ids": [str(b) for b in p.booth_ids],
            }
            for p in proposal.placements
        ],
        "waitlist": [
            {**w.__dict__, "application_id": str(w.application_id)} for w in proposal.waitlist
        ],
    }
    await pool.execute(
        "insert into allocation_runs (run_id, fair_id, solver, objective, greedy_objective, seconds, proposal, created_by) values ($1, $2, $3, $4, $5, $6, $7, $8)",
        run_id, fair_id, proposal.solver, proposal.objective, baseline, proposal.seconds, body, principal.subject,
    )  # fmt: skip
    return body


@router.post("/allocations/{run_id}/commit", tags=["allocation"])
async def commit_allocation(
    run_id: UUID, request: Request, principal: Organizer, cause: Cause
) -> dict[str, Any]:
    """Assigns the proposal's booths (skipping any taken since) and ranks the waitlist."""
    payment_days = int(settings_of(request).payment_days)

    async def work(conn: asyncpg.Connection) -> dict[str, Any]:
        run_row = await conn.fetchrow(
            "select * from allocation_runs where run_id = $1 for update", run_id
        )
        if run_row is None:
            raise NotFound("no such allocation run")
        fair_id = run_row["fair_id"]
        await own_fair(conn, fair_id, principal)
        if run_row["committed_at"] is not None:
            raise Conflict("this allocation was already committed", field="run_id")
        proposal = run_row["proposal"]
        due = await conn.fetchval("select now()") + timedelta(days=payment_days)
        assigned, skipped = 0, []
        for p in proposal["placements"]:
            for booth_id in p["booth_ids"]:
                done = await occupancy.take(
                    conn, booth_id=UUID(booth_id), application_id=UUID(p["application_id"]), exhibitor_id=UUID(p["exhibitor_id"]), fair_id=fair_id,
                    status="assigned", hold_expires_at=None, payment_due_at=due, actor=principal.subject, reason=f"allocation {run_id}: {p['explanation']}", cause=cause,
                )  # fmt: skip
                if done is None:
                    skipped.append(booth_id)
                else:
                    assigned += 1
        await conn.executemany(
            """insert into waitlist (fair_id, application_id, rank, reason) values ($1, $2, $3, $4)
               on conflict (fair_id, application_id) do update set rank = excluded.rank, reason = excluded.reason, status = 'waiting'""",
            [
                (fair_id, UUID(w["application_id"]), w["rank"], w["reason"])
                for w in proposal["waitlist"]
            ],
        )
        await conn.execute(
            "update allocation_runs set committed_at = now() where run_id = $1", run_id
        )
        waitlisted = [UUID(w["application_id"]) for w in proposal["waitlist"]]
        await occupancy.emit(
            conn,
            [
                AllocationCommitted(
                    fair_id=fair_id,
                    run_id=run_id,
                    assigned=assigned,
                    waitlisted=waitlisted,
                    solver=run_row["solver"],
                    objective=run_row["objective"],
                )
            ],
            cause,
        )
        return {
            "run_id": str(run_id),
            "assigned": assigned,
            "skipped_taken_booths": skipped,
            "waitlisted": len(waitlisted),
            "payment_due_at": due.isoformat(),
        }

    return await run(request, work)


@router.get("/fairs/{fair_id}/waitlist", tags=["allocation"])
async def waitlist(fair_id: UUID, request: Request, principal: Organizer) -> list[dict[str, Any]]:
    pool = get_service(request).pool
    await own_fair(pool, fair_id, principal)
    rows = await pool.fetch(
        "select w.*, a.exhibitor_name from waitlist w join applications a using (application_id) where w.fair_id = $1 order by w.rank",
        fair_id,
    )
    return [dict(r) for r in rows]


# --- self-service holds -----------------------------------------------------------------


@router.post("/fairs/{fair_id}/holds", status_code=201, tags=["holds"])
async def hold_booth(
    fair_id: UUID, body: HoldIn, request: Request, principal: Exhibitor, cause: Cause
) -> dict[str, Any]:
    """An exhibitor with an approved application holds a free booth until it pays."""
    if principal.is_admin:
        raise Conflict("hold with the exhibitor's own token", field="exhibitor_id")
    exhibitor = UUID(principal.subject)
    minutes = int(settings_of(request).hold_minutes)

    async def work(conn: asyncpg.Connection) -> dict[str, Any]:
        app = await conn.fetchrow(
            "select * from applications where fair_id = $1 and exhibitor_id = $2 and status = 'approved' for update",
            fair_id,
            exhibitor,
        )
        if app is None:
            raise Conflict("you have no approved application at this fair", field="fair_id")
        fair = await conn.fetchrow("select rules from fairs where fair_id = $1", fair_id)
        per_holder = int(fair["rules"].get("max_booths_per_holder", 2)) if fair else 1
        limit = min(int(app["booth_request"].get("count", 1)), per_holder * app["holder_count"])
        have = await conn.fetchval(
            "select count(*) from occupancy where application_id = $1", app["application_id"]
        )
        if have >= limit:
            raise Conflict(f"you already have {have} of your {limit} booth(s)", field="booth_id")
        booth = await conn.fetchrow(
            "select booth_type, blocked from booths where booth_id = $1 and fair_id = $2",
            body.booth_id,
            fair_id,
        )
        if booth is None:
            raise InvalidField("booth_id", "no such booth at this fair")
        if booth["blocked"]:
            raise Conflict("this booth is blocked", field="booth_id")
        expires = await conn.fetchval("select now()") + timedelta(minutes=minutes)
        taken = await occupancy.take(
            conn, booth_id=body.booth_id, application_id=app["application_id"], exhibitor_id=exhibitor, fair_id=fair_id, status="held",
            hold_expires_at=expires, payment_due_at=None, actor=principal.subject, reason="self-service hold", cause=cause,
        )  # fmt: skip
        if taken is None:
            raise Conflict("this booth was just taken by someone else", field="booth_id")
        return taken.model_dump(mode="json")

    return await run(request, work)


@router.delete("/fairs/{fair_id}/holds/{booth_id}", tags=["holds"])
async def drop_hold(
    fair_id: UUID, booth_id: UUID, request: Request, principal: Exhibitor, cause: Cause
) -> dict[str, str]:
    async def work(conn: asyncpg.Connection) -> dict[str, str]:
        owner = await conn.fetchval(
            "select exhibitor_id from occupancy where booth_id = $1 and fair_id = $2 and status = 'held'",
            booth_id,
            fair_id,
        )
        if owner is None or str(owner) != principal.subject:
            raise NotFound("no such hold")
        await occupancy.release(
            conn,
            booth_id,
            reason="hold given up",
            actor=principal.subject,
            cause=cause,
            only_status=("held",),
        )
        return {"booth_id": str(booth_id), "state": "released"}

    return await run(request, work)


@router.get("/fairs/{fair_id}/my-booths", tags=["holds"])
async def my_booths(fair_id: UUID, request: Request, principal: Exhibitor) -> list[dict[str, Any]]:
    rows = await get_service(request).pool.fetch(
        "select b.code, b.zone, b.booth_type, o.booth_id, o.status, o.hold_expires_at, o.payment_due_at from occupancy o join booths b using (booth_id) where o.fair_id = $1 and o.exhibitor_id = $2 order by b.code",
        fair_id, UUID(principal.subject),
    )  # fmt: skip
    return [dict(r) for r in rows]


# --- fees and payments ------------------------------------------------------------------


@router.get("/fairs/{fair_id}/fees", tags=["fees"])
async def fee_statement(
    fair_id: UUID, request: Request, principal: Anyone, exhibitor_id: UUID | None = None
) -> dict[str, Any]:
    """The exhibitor's fee statement and a VietQR code for the balance (exhibitors: their own)."""
    pool = get_service(request).pool
    if principal.role == "exhibitor":
        exhibitor_id = UUID(principal.subject)
    else:
        await own_fair(pool, fair_id, principal)
        if exhibitor_id is None:
            raise InvalidField("exhibitor_id", "say whose statement")
    async with pool.acquire() as conn:
        out = await occupancy.statement(conn, fair_id, exhibitor_id)
    s = settings_of(request)
    if out["balance_vnd"] > 0:
        out["vietqr"] = vietqr_payload(
            bank_bin=s.bank_bin,
            account=s.bank_account,
            amount_vnd=out["balance_vnd"],
            purpose=out["payment_reference"],
        )
    return out


@router.post("/fairs/{fair_id}/payments", status_code=201, tags=["fees"])
async def record_payment(
    fair_id: UUID, body: PaymentIn, request: Request, principal: Organizer, cause: Cause
) -> dict[str, Any]:
    """An organizer marks a payment received; booths it covers are confirmed at once."""

    async def work(conn: asyncpg.Connection) -> dict[str, Any]:
        await own_fair(conn, fair_id, principal)
        try:
            async with conn.transaction():
                await conn.execute(
                    "insert into payments (payment_id, fair_id, exhibitor_id, amount_vnd, reference, source, recorded_by) values ($1, $2, $3, $4, $5, 'manual', $6)",
                    uuid.uuid4(), fair_id, body.exhibitor_id, body.amount_vnd, body.reference, principal.subject,
                )  # fmt: skip
        except asyncpg.UniqueViolationError:
            raise Conflict(
                "this payment (reference and amount) is already recorded", field="reference"
            ) from None
        confirmed = await occupancy.confirm_paid(
            conn, fair_id, body.exhibitor_id, actor=principal.subject, cause=cause
        )
        return {
            "confirmed": confirmed,
            **await occupancy.statement(conn, fair_id, body.exhibitor_id),
        }

    return await run(request, work)


@router.post("/fairs/{fair_id}/payments/statement", tags=["fees"])
async def import_bank_statement(
    fair_id: UUID,
    request: Request,
    principal: Organizer,
    cause: Cause,
    file: Annotated[UploadFile, File(description="CSV with columns amount_vnd and description")],
) -> dict[str, Any]:
    """Matches bank-statement lines to exhibitors by their payment reference and amount."""
    try:
        rows = list(csv.DictReader(io.StringIO((await file.read()).decode("utf-8-sig"))))
    except UnicodeDecodeError:
        raise InvalidField("file", "a CSV must be UTF-8") from None
    if rows and not {"amount_vnd", "description"} <= set(rows[0]):
        raise InvalidField("file", "columns amount_vnd and description are required")

    async def work(conn: asyncpg.Connection) -> dict[str, Any]:
        await own_fair(conn, fair_id, principal)
        exhibitors = [
            r["exhibitor_id"]
            for r in await conn.fetch(
                "select distinct exhibitor_id from occupancy where fair_id = $1", fair_id
            )
        ]
        by_reference = {occupancy.payment_reference(fair_id, e): e for e in exhibitors}
        matched, unmatched = [], []
        for i, row in enumerate(rows, start=2):
            text = row["description"].upper().replace(" ", "")
            exhibitor = next((e for ref, e in by_reference.items() if ref in text), None)
            try:
                amount = int(row["amount_vnd"].replace(".", "").replace(",", ""))
            except ValueError:
                unmatched.append({"line": i, "reason": "amount is not a whole number"})
                continue
            if exhibitor is None or amount <= 0:
                unmatched.append({"line": i, "reason": "no payment reference of this fair found"})
                continue
            inserted = await conn.fetchval(
                """insert into payments (payment_id, fair_id, exhibitor_id, amount_vnd, reference, source, recorded_by)
                   values ($1, $2, $3, $4, $5, 'statement', $6) on conflict do nothing returning true""",
                uuid.uuid4(), fair_id, exhibitor, amount, row["description"][:120], principal.subject,
            )  # fmt: skip
            if inserted:
                matched.append(
                    {
                        "line": i,
                        "exhibitor_id": str(exhibitor),
                        "amount_vnd": amount,
                        "confirmed": await occupancy.confirm_paid(
                            conn, fair_id, exhibitor, actor=principal.subject, cause=cause
                        ),
                    }
                )
            else:
                unmatched.append({"line": i, "reason": "already recorded"})
        return {"matched": matched, "unmatched": unmatched}

    return await run(request, work)
