"""Reading floor plans and a booth's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ocop_booths.application.ports import AuditRecord, Repositories
from ocop_booths.domain import floorplan
from ocop_booths.domain.applications import check_organizer
from ocop_booths.domain.floorplan import BoothType, Zone
from ocop_booths.domain.refusals import BoothNotFound, FloorPlanNotFound
from ocop_shared.auth import Principal


@dataclass(frozen=True, slots=True)
class BoothView:
    booth_id: UUID
    code: str
    zone: str
    booth_type: BoothType
    width_m: float
    depth_m: float
    price_vnd: int
    x: float
    y: float
    open_sides: int
    state: str
    neighbours: list[str]
    kind: str = "booth"
    store_code: str | None = None
    exhibitor_id: UUID | None = None  # organizers only, for a taken booth
    held_until: datetime | None = None  # a booth in state held: when the hold expires


@dataclass(frozen=True, slots=True)
class FloorPlanView:
    fair_id: UUID
    zones: list[Zone]
    booths: list[BoothView]


async def export_floorplan(
    repos: Repositories, principal: Principal, fair_id: UUID
) -> FloorPlanView:
    """The plan (importable again), each booth with its state and its neighbours. Exhibitors
    see which booths are free and which are theirs, not who holds the others."""
    zones, booths = await repos.floorplans.zones(fair_id), await repos.floorplans.booths(fair_id)
    if not booths:
        raise FloorPlanNotFound("no floor plan for this fair", field="fair_id")
    taken = {o.booth_id: o for o in await repos.booths.occupancy_of_fair(fair_id)}
    organizer = principal.role == "organizer" or principal.is_admin
    if organizer:
        check_organizer(await repos.fairs.get(fair_id), principal)
    graph = floorplan.adjacency(booths)
    code = {b.booth_id: b.code for b in booths}
    out = []
    for b in booths:
        o = taken.get(b.booth_id)
        mine = o is not None and str(o.exhibitor_id) == principal.subject
        state = floorplan.seen_state(
            b.blocked, o.status if o else None, sees_occupant=organizer or mine
        )
        out.append(
            BoothView(
                booth_id=b.booth_id,
                code=b.code,
                zone=b.zone,
                booth_type=b.booth_type,
                width_m=b.width_m,
                depth_m=b.depth_m,
                price_vnd=b.price_vnd,
                x=b.x,
                y=b.y,
                open_sides=b.open_sides,
                state=state,
                neighbours=sorted(code[n] for n in graph.get(b.booth_id, ())),
                exhibitor_id=o.exhibitor_id if organizer and o is not None else None,
                held_until=o.hold_expires_at if o is not None and state == "held" else None,
                kind=b.kind,
                store_code=b.store_code,
            )
        )
    return FloorPlanView(fair_id, zones, out)


async def booth_history(
    repos: Repositories, principal: Principal, fair_id: UUID, booth_id: UUID
) -> list[AuditRecord]:
    """A booth's changes, read only through its own fair: a booth of another fair (even
    the caller's own other fair) answers 404."""
    check_organizer(await repos.fairs.get(fair_id), principal)
    booth = await repos.booths.get(booth_id)
    if booth is None or booth.fair_id != fair_id:
        raise BoothNotFound("no such booth at this fair", field="booth_id")
    return await repos.booths.history(booth_id)
