"""Reading an exhibitor's own booths."""

from __future__ import annotations

from uuid import UUID

from ocop_booths.application.ports import HeldBooth, Repositories
from ocop_booths.domain.refusals import ApplicationNotFound
from ocop_shared.auth import Principal


async def my_booths(repos: Repositories, principal: Principal, fair_id: UUID) -> list[HeldBooth]:
    """The caller's booths at a fair it applied to (another fair: 404)."""
    exhibitor_id = UUID(principal.subject)
    if not await repos.applications.exhibits(fair_id, exhibitor_id):
        raise ApplicationNotFound("you have no application at this fair", field="fair_id")
    return await repos.booths.of_exhibitor(fair_id, exhibitor_id)
