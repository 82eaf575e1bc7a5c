"""Reading a fair's waitlist."""

from __future__ import annotations

from uuid import UUID

from ocop_booths.application.ports import Repositories, WaitlistRow
from ocop_booths.domain.applications import check_organizer
from ocop_shared.auth import Principal


async def waitlist(repos: Repositories, principal: Principal, fair_id: UUID) -> list[WaitlistRow]:
    check_organizer(await repos.fairs.get(fair_id), principal)
    return await repos.waitlist.of_fair(fair_id)
