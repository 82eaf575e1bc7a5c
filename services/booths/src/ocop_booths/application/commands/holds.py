"""Self-service holds: an exhibitor with an approved application holds a free booth until it
pays, or gives the hold back."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from ocop_booths.application import occupancy
from ocop_booths.application.ports import Repositories
from ocop_booths.domain import booths as lifecycle
from ocop_booths.domain.applications import check_may_hold, check_self_service
from ocop_booths.domain.booths import Occupant, Terms
from ocop_booths.domain.refusals import ApplicationNotFound, BoothNotFound, HoldNotFound
from ocop_shared.auth import Principal
from ocop_shared.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class HoldDropped:
    booth_id: UUID
    state: str = "released"


async def hold_booth(
    uow: UnitOfWork[Repositories], principal: Principal, fair_id: UUID, booth_id: UUID, terms: Terms
) -> Occupant:
    """Holds a free booth for ``terms.hold_minutes``, within the application's booth limit.
    Two exhibitors racing for one booth: one gets it, the other a 409."""
    repos = uow.repos
    exhibitor_id = UUID(principal.subject)
    approved = await repos.applications.approved_for_update(fair_id, exhibitor_id)
    if approved is None and not await repos.applications.exhibits(fair_id, exhibitor_id):
        raise ApplicationNotFound("you have no application at this fair", field="fair_id")
    application = check_may_hold(approved)
    fair = await repos.fairs.get(fair_id)
    check_self_service(fair)  # a ranked fair's booths are placed by the allocation run
    lifecycle.check_room(
        have=await repos.booths.count_of_application(application.application_id),
        limit=application.booth_limit(fair.rules if fair is not None else None),
    )
    booth = await repos.booths.get(booth_id)
    if booth is None or booth.fair_id != fair_id:
        raise BoothNotFound("no such booth at this fair", field="booth_id")
    decision = lifecycle.hold(
        booth,
        application.claimant,
        now=await repos.now(),
        minutes=terms.hold_minutes,
        actor=principal.subject,
    )
    if not await repos.booths.occupy(decision.booth):
        # Taken or blocked meanwhile: say which, as the booth is now.
        raise lifecycle.not_free(await repos.booths.get(booth_id))
    await occupancy.record(uow, decision)
    assert decision.booth.occupant is not None
    return decision.booth.occupant


async def drop_hold(
    uow: UnitOfWork[Repositories], principal: Principal, fair_id: UUID, booth_id: UUID, terms: Terms
) -> HoldDropped:
    """The holder gives its hold back; the booth is offered to the waitlist."""
    booth = await uow.repos.booths.get(booth_id, lock=True)
    if booth is None or booth.fair_id != fair_id:
        raise HoldNotFound("no such hold at this fair", field="booth_id")
    decision = lifecycle.give_up_hold(
        booth, exhibitor_id=UUID(principal.subject), actor=principal.subject
    )
    await occupancy.release(uow, decision, terms)
    return HoldDropped(booth_id)
