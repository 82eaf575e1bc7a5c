"""Deadlines: a hold past its expiry, or an assigned booth left unpaid, goes back, and to the
waitlist."""

from __future__ import annotations

from uuid import UUID

from ocop_booths.application import occupancy
from ocop_booths.application.ports import Repositories
from ocop_booths.domain import booths as lifecycle
from ocop_booths.domain.booths import Terms
from ocop_shared.uow import UnitOfWork


async def release_at_deadline(uow: UnitOfWork[Repositories], booth_id: UUID, terms: Terms) -> bool:
    """Releases the booth if its deadline has still passed once its occupant is locked (a
    payment may have confirmed it meanwhile); whether it did."""
    booth = await uow.repos.booths.get(booth_id, lock=True)
    if booth is None:
        return False
    decision = lifecycle.expire(booth, now=await uow.repos.now())
    if decision is None:
        return False
    await occupancy.release(uow, decision, terms)
    return True
