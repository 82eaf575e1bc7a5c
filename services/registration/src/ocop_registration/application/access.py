"""Who may see and change what, once the record is loaded. What a principal may not see is
answered as missing: its existence is not theirs to learn."""

from __future__ import annotations

from uuid import UUID

from ocop_registration.application.ports import Repositories
from ocop_registration.domain.applications import Application
from ocop_registration.domain.fairs import Fair
from ocop_shared.auth import Principal
from ocop_shared.errors import InvalidField, NotFound


def is_self(principal: Principal, exhibitor_id: UUID) -> bool:
    return principal.role == "exhibitor" and principal.subject == str(exhibitor_id)


def is_staff(principal: Principal) -> bool:
    return principal.role in ("organizer", "admin")


def owns_fair(principal: Principal, fair: Fair | None) -> Fair:
    if fair is None or not (principal.is_admin or fair.organizer_id == principal.subject):
        raise NotFound("no such fair")
    return fair


def check_self_or_admin(principal: Principal, exhibitor_id: UUID) -> None:
    if not (is_self(principal, exhibitor_id) or principal.is_admin):
        raise NotFound("no such exhibitor")


def holder_of_new_product(principal: Principal, requested: UUID | None) -> UUID:
    """Exhibitors register their own products; organizers say whose."""
    if principal.role == "exhibitor":
        if requested is not None and str(requested) != principal.subject:
            raise InvalidField("holder_id", "exhibitors register their own products only")
        return UUID(principal.subject)
    if requested is None:
        raise InvalidField("holder_id", "say which holder the product belongs to")
    return requested


async def visible_application(
    repos: Repositories, application_id: UUID, principal: Principal, *, lock: bool = False
) -> Application:
    """Its exhibitor, the fair's organizer and the admin see an application."""
    found = await repos.applications.get(application_id, lock=lock)
    if found is not None:
        if principal.is_admin or is_self(principal, found.exhibitor_id):
            return found
        if principal.role == "organizer":
            fair = await repos.fairs.get(found.fair_id)
            if fair is not None and fair.organizer_id == principal.subject:
                return found
    raise NotFound("no such application")
