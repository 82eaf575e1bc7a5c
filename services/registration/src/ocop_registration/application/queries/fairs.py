"""Reading fairs: the public list, an organizer's own (drafts included), one public fair."""

from __future__ import annotations

from uuid import UUID

from ocop_registration.application.ports import Repositories
from ocop_registration.domain.fairs import Fair
from ocop_shared.auth import Principal
from ocop_shared.errors import NotFound


async def public_fairs(repos: Repositories) -> list[Fair]:
    """Every fair that has opened."""
    return await repos.fairs.list(organizer_id=None, public_only=True)


async def organizer_fairs(repos: Repositories, principal: Principal) -> list[Fair]:
    organizer = None if principal.is_admin else principal.subject
    return await repos.fairs.list(organizer_id=organizer, public_only=False)


async def public_fair(repos: Repositories, fair_id: UUID, viewer: Principal | None) -> Fair:
    """A fair that has opened, to anyone; a draft only to its organizer (and the admin)."""
    fair = await repos.fairs.get(fair_id)
    if fair is None:
        raise NotFound("no such fair")
    if fair.status == "draft" and not (
        viewer is not None and (viewer.is_admin or viewer.subject == fair.organizer_id)
    ):
        raise NotFound("no such fair")
    return fair
