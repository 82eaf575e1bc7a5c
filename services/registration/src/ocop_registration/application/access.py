"""Who may see and change what, once the record is loaded. The authorization table
(``adapters/http/authorization.py``) has already let the caller's role through; here the
record is checked against the caller's reach. What a principal may not see is answered as
missing: its existence is not theirs to learn."""

from __future__ import annotations

from uuid import UUID

from ocop_registration.application.ports import Repositories
from ocop_registration.domain.applications import Application
from ocop_registration.domain.authority import Authority
from ocop_registration.domain.exhibitors import Exhibitor
from ocop_registration.domain.fairs import Fair
from ocop_shared.auth import Principal
from ocop_shared.errors import Forbidden, NotFound


def is_self(principal: Principal, exhibitor_id: UUID) -> bool:
    """A user (owner or staff) or an API key of this exhibitor."""
    return principal.role == "exhibitor" and principal.acts_for(exhibitor_id)


def owns_fair(principal: Principal, fair: Fair | None) -> Fair:
    if fair is None or not (principal.is_admin or fair.organizer_id == principal.subject):
        raise NotFound("no such fair")
    return fair


def check_self_or_admin(principal: Principal, exhibitor_id: UUID) -> None:
    if not (is_self(principal, exhibitor_id) or principal.is_admin):
        raise NotFound("no such exhibitor")


def check_self(principal: Principal, exhibitor_id: UUID, what: str = "exhibitor") -> None:
    if not is_self(principal, exhibitor_id):
        raise NotFound(f"no such {what}")


def holder_of(principal: Principal) -> UUID:
    """The exhibitor the caller acts for (its products, its applications)."""
    if principal.role != "exhibitor":
        raise Forbidden("only an exhibitor's own users may", field="holder_id")
    return UUID(principal.subject)


def authority_of(principal: Principal) -> Authority:
    """The certifying council the caller acts for, with the person deciding."""
    if principal.role != "certifier" or principal.level is None:
        raise Forbidden("only a certifying council decides certificates")
    if principal.level == "provincial" and not principal.province:
        raise Forbidden("this provincial council's credential names no province")
    return Authority(
        authority_id=principal.subject,
        level=principal.level,
        province=principal.province,
        decided_by=UUID(principal.user_id) if principal.user_id else None,
    )


async def visible_exhibitor(
    repos: Repositories, principal: Principal, exhibitor_id: UUID
) -> Exhibitor:
    """The full record (tax code, phone, contact): its own users, the admin, and the organizers
    of a fair it applied to."""
    found = await repos.exhibitors.get(exhibitor_id)
    if found is not None:
        if principal.is_admin or is_self(principal, exhibitor_id):
            return found
        if principal.role == "organizer" and await repos.exhibitors.applied_to(
            exhibitor_id, principal.subject
        ):
            return found
    raise NotFound("no such exhibitor")


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
