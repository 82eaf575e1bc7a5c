"""Reading an exhibitor's own booths."""

from __future__ import annotations

from uuid import UUID

from ocop_booths.application.ports import HeldBooth, Repositories
from ocop_shared.auth import Principal


async def my_booths(repos: Repositories, principal: Principal, fair_id: UUID) -> list[HeldBooth]:
    return await repos.booths.of_exhibitor(fair_id, UUID(principal.subject))
