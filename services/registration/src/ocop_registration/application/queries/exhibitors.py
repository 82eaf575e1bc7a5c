"""Reading exhibitors: an exhibitor's full record (its own users, the admin, organizers of a
fair it applied to), organizers' search among their applicants, the public directory, and a
delegation's or a holder's memberships."""

from __future__ import annotations

from uuid import UUID

from ocop_registration.application.access import check_self, visible_exhibitor
from ocop_registration.application.ports import Repositories
from ocop_registration.domain.delegations import NamedMembership, named
from ocop_registration.domain.directory import Listing, listing
from ocop_registration.domain.exhibitors import Exhibitor
from ocop_registration.domain.text import fold
from ocop_shared.auth import Principal
from ocop_shared.errors import NotFound


async def search_exhibitors(
    repos: Repositories, principal: Principal, q: str, limit: int
) -> list[Exhibitor]:
    """By name, with or without Vietnamese diacritics: an organizer finds the exhibitors that
    applied to its fairs; the admin finds any."""
    applied_to = None if principal.is_admin else principal.subject
    return await repos.exhibitors.search(fold(q), limit, applied_to=applied_to)


async def get_exhibitor(repos: Repositories, principal: Principal, exhibitor_id: UUID) -> Exhibitor:
    return await visible_exhibitor(repos, principal, exhibitor_id)


async def directory(repos: Repositories, q: str, limit: int) -> list[Listing]:
    """The public directory: public fields only, and the products certified now."""
    found = await repos.exhibitors.search(fold(q), limit)
    products = await repos.products.of_holders([e.exhibitor_id for e in found])
    return [listing(e, products) for e in found]


async def memberships(
    repos: Repositories, principal: Principal, exhibitor_id: UUID
) -> list[NamedMembership]:
    """A delegation's invitations and members, or the delegations a holder was invited to;
    each with the other party's name, kind and province."""
    check_self(principal, exhibitor_id)
    exhibitor = await repos.exhibitors.get(exhibitor_id)
    if exhibitor is None:
        raise NotFound("no such exhibitor")
    if exhibitor.kind == "delegation":
        found = await repos.exhibitors.memberships(delegation_id=exhibitor_id)
        others = [m.holder_id for m in found]
    else:
        found = await repos.exhibitors.memberships(holder_id=exhibitor_id)
        others = [m.delegation_id for m in found]
    return named(found, await repos.exhibitors.get_many(others), exhibitor_id)
