"""Floor plans and an organizer's hand on single booths: import, block, unblock, move, swap."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from ocop_booths.application import occupancy
from ocop_booths.application.ports import Repositories
from ocop_booths.domain import booths as lifecycle
from ocop_booths.domain import floorplan
from ocop_booths.domain.applications import check_organizer
from ocop_booths.domain.booths import Booth, Occupant, Terms
from ocop_booths.domain.floorplan import BoothKind, BoothType, PlannedBooth, Zone
from ocop_booths.domain.refusals import BoothNotFound, PlanInUse, TargetNotFree
from ocop_shared.auth import Principal
from ocop_shared.errors import InvalidField
from ocop_shared.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class BoothDrawn:
    """A booth as the organizer draws it (the service gives it its id)."""

    code: str
    zone: str
    booth_type: BoothType
    width_m: float
    depth_m: float
    price_vnd: int
    x: float | None  # None: a stand or a shelf (placed by its store)
    y: float | None
    open_sides: int
    kind: BoothKind = "booth"
    store_code: str | None = None


@dataclass(frozen=True, slots=True)
class FloorPlanImported:
    fair_id: UUID
    zones: int
    booths: int


@dataclass(frozen=True, slots=True)
class BoothUse:
    booth: str  # its code
    state: str  # blocked | available


async def _own_fair(uow: UnitOfWork[Repositories], fair_id: UUID, principal: Principal) -> None:
    check_organizer(await uow.repos.fairs.get(fair_id), principal)


async def _booth_at(uow: UnitOfWork[Repositories], fair_id: UUID, booth_id: UUID) -> Booth:
    booth = await uow.repos.booths.get(booth_id, lock=True)
    if booth is None or booth.fair_id != fair_id:
        raise BoothNotFound("no such booth at this fair", field="booth_id")
    return booth


async def import_floorplan(
    uow: UnitOfWork[Repositories],
    principal: Principal,
    fair_id: UUID,
    zones: Sequence[Zone],
    drawn: Sequence[BoothDrawn],
) -> FloorPlanImported:
    """Loads (or replaces, while no booth is taken) a fair's floor plan: hall booths (x, y)
    and a promotion week's stands and shelf slots (by store)."""
    for i, b in enumerate(drawn):
        for name, value in (("x", b.x), ("y", b.y)):
            if b.kind == "booth" and value is None:
                raise InvalidField(f"booths.{i}.{name}", "a hall booth's place on the plan")
    booths = [
        PlannedBooth(
            booth_id=uuid.uuid4(),
            code=b.code,
            zone=b.zone,
            booth_type=b.booth_type,
            width_m=b.width_m,
            depth_m=b.depth_m,
            price_vnd=b.price_vnd,
            x=b.x or 0.0,
            y=b.y or 0.0,
            open_sides=b.open_sides,
            kind=b.kind,
            store_code=b.store_code,
        )
        for b in drawn
    ]
    fair = await uow.repos.fairs.get(fair_id, lock=True)
    published = floorplan.publish(fair_id, zones, booths, fair.store_codes if fair else ())
    check_organizer(fair, principal)
    if await uow.repos.booths.any_taken(fair_id):
        raise PlanInUse(
            "booths are already taken: move or release them before replacing the plan",
            field="booths",
        )
    await uow.repos.floorplans.replace(fair_id, published.zones, published.booths)
    uow.emit_all(published.events)
    return FloorPlanImported(fair_id, len(published.zones), len(published.booths))


async def block_booth(
    uow: UnitOfWork[Repositories],
    principal: Principal,
    fair_id: UUID,
    booth_id: UUID,
    reason: str,
) -> BoothUse:
    """Takes a free booth out of use; an occupied one is refused (409 naming it: move its
    exhibitor first). The booth is locked before its occupant is read, so a hold, an
    allocation or a move racing the block either lands first (and the block is refused) or
    finds the booth blocked: never both."""
    await _own_fair(uow, fair_id, principal)
    booth = await _booth_at(uow, fair_id, booth_id)
    decision = lifecycle.block(booth, reason=reason, actor=principal.subject)
    await uow.repos.booths.set_blocked(booth_id, True)
    await occupancy.record(uow, decision)
    return BoothUse(booth.code, "blocked")


async def unblock_booth(
    uow: UnitOfWork[Repositories],
    principal: Principal,
    fair_id: UUID,
    booth_id: UUID,
    reason: str,
    terms: Terms,
) -> BoothUse:
    """Puts a booth back in use and offers it to the waitlist."""
    await _own_fair(uow, fair_id, principal)
    booth = await _booth_at(uow, fair_id, booth_id)
    decision = lifecycle.unblock(booth, reason=reason, actor=principal.subject)
    await uow.repos.booths.set_blocked(booth_id, False)
    await occupancy.record(uow, decision)
    await occupancy.offer_to_waitlist(uow, decision.booth, terms)
    return BoothUse(booth.code, "available")


async def move_booth(
    uow: UnitOfWork[Repositories],
    principal: Principal,
    fair_id: UUID,
    booth_id: UUID,
    to_booth_id: UUID,
    reason: str,
    terms: Terms,
) -> Occupant:
    """Moves a booth's occupant to a free booth of the same fair; the booth it leaves is
    offered to the waitlist."""
    await _own_fair(uow, fair_id, principal)
    # Both booths locked, in booth id order: a block of the target waits, or is seen.
    locked = {b: await uow.repos.booths.get(b, lock=True) for b in sorted({booth_id, to_booth_id})}
    source, target = locked[booth_id], locked[to_booth_id]
    if source is None or source.fair_id != fair_id:
        raise BoothNotFound("no such booth at this fair", field="booth_id")
    if target is None or target.fair_id != fair_id:
        raise BoothNotFound("no such booth at this fair", field="to_booth_id")
    moved = lifecycle.move(source, target, actor=principal.subject, reason=reason)
    if not await uow.repos.booths.move_occupant(booth_id, to_booth_id):
        raise TargetNotFree(lifecycle.TARGET_NOT_FREE, field="to_booth_id")
    await occupancy.record(uow, moved)
    left, arrived = moved.booths
    await occupancy.offer_to_waitlist(uow, left, terms)
    assert arrived.occupant is not None
    return arrived.occupant


async def swap_booths(
    uow: UnitOfWork[Repositories],
    principal: Principal,
    fair_id: UUID,
    booth_id: UUID,
    other_booth_id: UUID,
    reason: str,
) -> list[Occupant]:
    """Exchanges the exhibitors of two occupied booths of the fair, with audit and events."""
    await _own_fair(uow, fair_id, principal)
    locked = [await uow.repos.booths.get(b, lock=True) for b in sorted({booth_id, other_booth_id})]
    found = {b.booth_id: b for b in locked if b is not None}
    a, b = found.get(booth_id), found.get(other_booth_id)
    # Both at this fair before anything else is said about them.
    if a is None or a.fair_id != fair_id:
        raise BoothNotFound("no such booth at this fair", field="booth_id")
    if b is None or b.fair_id != fair_id:
        raise BoothNotFound("no such booth at this fair", field="other_booth_id")
    swapped = lifecycle.swap(a, b, actor=principal.subject, reason=reason)
    await uow.repos.booths.swap_occupants(booth_id, other_booth_id)
    await occupancy.record(uow, swapped)
    after = sorted(swapped.booths, key=lambda booth: booth.booth_id)
    return [booth.occupant for booth in after if booth.occupant is not None]
