"""Floor plans and single booths: import, export, block, unblock, move, swap, history."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from ocop_booths.adapters.http.deps import Cause, Service
from ocop_booths.adapters.http.schemas import (
    AuditOut,
    BlockIn,
    BoothUse,
    FloorPlanImported,
    FloorPlanIn,
    FloorPlanOut,
    MoveIn,
    OccupancyOut,
    SwapIn,
)
from ocop_booths.application.commands import floorplans as commands
from ocop_booths.application.queries import floorplans as queries
from ocop_booths.domain.floorplan import Zone
from ocop_shared.authz import Caller

router = APIRouter(tags=["floor plans"])


@router.put("/fairs/{fair_id}/floorplan")
async def import_floorplan(
    fair_id: UUID, body: FloorPlanIn, principal: Caller, cause: Cause, booths: Service
) -> FloorPlanImported:
    """Loads (or replaces, while no booth is taken) a fair's floor plan as JSON."""
    zones = [Zone(z.code, z.name, z.kind, tuple(z.product_groups)) for z in body.zones]
    drawn = [commands.BoothDrawn(**b.model_dump()) for b in body.booths]
    done = await booths.uow.run(
        lambda uow: commands.import_floorplan(uow, principal, fair_id, zones, drawn), cause=cause
    )
    return FloorPlanImported.model_validate(done)


@router.get("/fairs/{fair_id}/floorplan", response_model_exclude_none=True)
async def export_floorplan(
    fair_id: UUID,
    principal: Caller,
    booths: Service,
    plan_format: Annotated[
        Literal["full", "import"],
        Query(
            alias="format",
            description="full: each booth with its id, state and neighbours (a held booth"
            " with held_until); import: exactly the body of PUT .../floorplan, to load again",
        ),
    ] = "full",
) -> FloorPlanOut | FloorPlanIn:
    """The plan as JSON, with each booth's state and its neighbours (``format=import``: as
    ``PUT`` takes it). Exhibitors see which booths are free, not who holds the others."""
    plan = await booths.uow.read(lambda repos: queries.export_floorplan(repos, principal, fair_id))
    if plan_format == "import":
        return FloorPlanIn.model_validate(plan, from_attributes=True)
    return FloorPlanOut.model_validate(plan)


@router.post("/fairs/{fair_id}/booths/{booth_id}/block")
async def block_booth(
    fair_id: UUID,
    booth_id: UUID,
    body: BlockIn,
    principal: Caller,
    cause: Cause,
    booths: Service,
) -> BoothUse:
    """Takes a booth out of use (its occupant, if any, loses it)."""
    done = await booths.uow.run(
        lambda uow: commands.block_booth(uow, principal, fair_id, booth_id, body.reason),
        cause=cause,
    )
    return BoothUse.model_validate(done)


@router.post("/fairs/{fair_id}/booths/{booth_id}/unblock")
async def unblock_booth(
    fair_id: UUID,
    booth_id: UUID,
    body: BlockIn,
    principal: Caller,
    cause: Cause,
    booths: Service,
) -> BoothUse:
    """Puts a booth back in use and offers it to the waitlist."""
    done = await booths.uow.run(
        lambda uow: commands.unblock_booth(
            uow, principal, fair_id, booth_id, body.reason, booths.terms
        ),
        cause=cause,
    )
    return BoothUse.model_validate(done)


@router.post("/fairs/{fair_id}/booths/{booth_id}/move")
async def move_booth(
    fair_id: UUID,
    booth_id: UUID,
    body: MoveIn,
    principal: Caller,
    cause: Cause,
    booths: Service,
) -> OccupancyOut:
    """Moves the booth's occupant to a free booth of the fair; the booth left is offered to
    the waitlist."""
    moved = await booths.uow.run(
        lambda uow: commands.move_booth(
            uow, principal, fair_id, booth_id, body.to_booth_id, body.reason, booths.terms
        ),
        cause=cause,
    )
    return OccupancyOut.model_validate(moved)


@router.post("/fairs/{fair_id}/booths/{booth_id}/swap")
async def swap_booths(
    fair_id: UUID,
    booth_id: UUID,
    body: SwapIn,
    principal: Caller,
    cause: Cause,
    booths: Service,
) -> list[OccupancyOut]:
    """Exchanges the exhibitors of two occupied booths, with audit and events."""
    swapped = await booths.uow.run(
        lambda uow: commands.swap_booths(
            uow, principal, fair_id, booth_id, body.other_booth_id, body.reason
        ),
        cause=cause,
    )
    return [OccupancyOut.model_validate(o) for o in swapped]


@router.get("/fairs/{fair_id}/booths/{booth_id}/history")
async def booth_history(
    fair_id: UUID, booth_id: UUID, principal: Caller, booths: Service
) -> list[AuditOut]:
    """Every change of the booth, with its reason and actor."""
    rows = await booths.uow.read(
        lambda repos: queries.booth_history(repos, principal, fair_id, booth_id)
    )
    return [AuditOut.model_validate(r) for r in rows]
