"""Self-service holds and an exhibitor's own booths."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from ocop_booths.adapters.http.deps import Cause, Service
from ocop_booths.adapters.http.schemas import HoldDropped, HoldIn, MyBoothOut, OccupancyOut
from ocop_booths.application.commands import holds as commands
from ocop_booths.application.queries import holds as queries
from ocop_shared.authz import Caller

router = APIRouter(tags=["holds"])


@router.post("/fairs/{fair_id}/holds", status_code=201)
async def hold_booth(
    fair_id: UUID, body: HoldIn, principal: Caller, cause: Cause, booths: Service
) -> OccupancyOut:
    """An exhibitor with an approved application holds a free booth until it pays."""
    held = await booths.uow.run(
        lambda uow: commands.hold_booth(uow, principal, fair_id, body.booth_id, booths.terms),
        cause=cause,
    )
    return OccupancyOut.model_validate(held)


@router.delete("/fairs/{fair_id}/holds/{booth_id}")
async def drop_hold(
    fair_id: UUID, booth_id: UUID, principal: Caller, cause: Cause, booths: Service
) -> HoldDropped:
    """The holder gives its hold back; the booth is offered to the waitlist."""
    dropped = await booths.uow.run(
        lambda uow: commands.drop_hold(uow, principal, fair_id, booth_id, booths.terms),
        cause=cause,
    )
    return HoldDropped.model_validate(dropped)


@router.get("/fairs/{fair_id}/my-booths")
async def my_booths(fair_id: UUID, principal: Caller, booths: Service) -> list[MyBoothOut]:
    """The caller's booths at the fair, with their deadlines."""
    rows = await booths.uow.read(lambda repos: queries.my_booths(repos, principal, fair_id))
    return [MyBoothOut.model_validate(r) for r in rows]
