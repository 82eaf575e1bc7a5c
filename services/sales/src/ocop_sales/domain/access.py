"""Who may see what. Pure Python: the caller passes who asks, the domain answers or refuses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from ocop_shared.errors import Conflict, InvalidField, NotFound


class Viewer(Protocol):
    """Who asks (an authenticated principal): a role and a subject."""

    @property
    def role(self) -> str: ...

    @property
    def subject(self) -> str:  # organizer id, exhibitor id, terminal id; "admin"
        ...

    @property
    def is_admin(self) -> bool: ...


def check_organizer(viewer: Viewer, fair_organizer: str | None) -> None:
    """An organizer reaches only its own fairs; another's fair looks like no fair at all."""
    if fair_organizer is None or not (viewer.is_admin or fair_organizer == viewer.subject):
        raise NotFound("no such fair")


def selling_terminal(viewer: Viewer) -> UUID:
    """Sales and refunds are recorded with a terminal's token (the admin's is refused here)."""
    if viewer.role != "terminal":
        raise Conflict("sales are recorded with a terminal's token", field="terminal_id")
    return UUID(viewer.subject)


def check_fair_reach(viewer: Viewer, *, organizer: str | None, takes_part: bool) -> None:
    """Who reaches a fair's sales and reports: the admin any fair, an organizer its own, an
    exhibitor or a till one it sells at (``takes_part``). Any other fair looks like no fair."""
    if organizer is None:
        raise NotFound("no such fair")
    if viewer.is_admin:
        return
    if viewer.role == "organizer":
        reached = organizer == viewer.subject
    else:
        reached = viewer.role in ("exhibitor", "terminal") and takes_part
    if not reached:
        raise NotFound("no such fair")


def check_sale_reach(
    viewer: Viewer, *, organizer: str, terminal_id: UUID, exhibitor_id: UUID
) -> None:
    """Who reads one sale: the till that made it, the exhibitor it was made for, the fair's
    organizer, the admin. Anyone else's looks like no sale at all."""
    if viewer.is_admin:
        return
    reached = {
        "organizer": organizer,
        "terminal": str(terminal_id),
        "exhibitor": str(exhibitor_id),
    }.get(viewer.role)
    if reached is None or reached != viewer.subject:
        raise NotFound("no such sale")


def check_session_reach(viewer: Viewer, *, organizer: str, terminal_id: UUID) -> None:
    """Who reads a till's session (and its Z-report): the till, the fair's organizer."""
    if viewer.role == "terminal":
        reached = str(terminal_id) == viewer.subject
    else:
        reached = viewer.role == "organizer" and organizer == viewer.subject
    if not reached:
        raise NotFound("no such session")


@dataclass(frozen=True, slots=True)
class SalesScope:
    """Whose sales a listing shows: a fair's, an exhibitor's or a terminal's (an exhibitor's
    or a terminal's at one fair when ``fair_id`` is given too)."""

    fair_id: UUID | None = None
    exhibitor_id: UUID | None = None
    terminal_id: UUID | None = None


def sales_scope(viewer: Viewer, fair_id: UUID | None) -> SalesScope:
    """A terminal sees its own sales, an exhibitor its own, an organizer one fair's; a fair
    named must be in the viewer's reach (checked by the caller with ``check_fair_reach``)."""
    if viewer.role == "organizer" or viewer.is_admin:
        if fair_id is None:
            raise InvalidField("fair_id", "organizers list one fair's sales")
        return SalesScope(fair_id=fair_id)
    if viewer.role == "terminal":
        return SalesScope(fair_id=fair_id, terminal_id=UUID(viewer.subject))
    if viewer.role == "exhibitor":
        return SalesScope(fair_id=fair_id, exhibitor_id=UUID(viewer.subject))
    raise NotFound("no sales for this role")
