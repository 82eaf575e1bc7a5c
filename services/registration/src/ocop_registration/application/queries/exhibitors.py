"""Reading exhibitors: organizers search them; an exhibitor sees itself."""

from __future__ import annotations

from uuid import UUID

from ocop_registration.application.access import is_self, is_staff
from ocop_registration.application.ports import Repositories
from ocop_registration.domain.exhibitors import Exhibitor
from ocop_registration.domain.text import fold
from ocop_shared.auth import Principal
from ocop_shared.errors import NotFound


async def search_exhibitors(repos: Repositories, q: str, limit: int) -> list[Exhibitor]:
    """By name, with or without Vietnamese diacritics."""
    return await repos.exhibitors.search(fold(q), limit)


async def get_exhibitor(repos: Repositories, principal: Principal, exhibitor_id: UUID) -> Exhibitor:
    found = await repos.exhibitors.get(exhibitor_id)
    if found is None or not (is_staff(principal) or is_self(principal, exhibitor_id)):
        raise NotFound("no such exhibitor")
    return found
