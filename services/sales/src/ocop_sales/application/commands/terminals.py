"""Enrolling, suspending and unpairing tills (organizers)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from uuid import UUID

from ocop_sales.application.ports import Repositories
from ocop_sales.domain.access import Viewer, check_organizer
from ocop_sales.domain.terminals import Enrolment, enrol
from ocop_shared.errors import NotFound
from ocop_shared.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Enrolled:
    enrolment: Enrolment
    token: str  # shown once; only its hash is stored


async def enrol_terminal(
    uow: UnitOfWork[Repositories], *, fair_id: UUID, booth_id: UUID, label: str, by: Viewer
) -> Enrolled:
    """Enrols a till for a booth an exhibitor holds at the organizer's fair."""
    check_organizer(by, await uow.repos.fairs.organizer_of(fair_id))
    holder = await uow.repos.booths.holder(booth_id)
    enrolment = enrol(uuid.uuid4(), fair_id, label, holder, enrolled_by=by.subject)
    token = await uow.repos.terminals.add(enrolment)
    return Enrolled(enrolment, token)


async def _organizers_till(uow: UnitOfWork[Repositories], terminal_id: UUID, by: Viewer) -> None:
    """The till exists and is at one of the organizer's fairs (locked until commit), or 404."""
    fair_id = await uow.repos.terminals.fair_of(terminal_id, lock=True)
    if fair_id is None:
        raise NotFound("no such terminal")
    try:
        check_organizer(by, await uow.repos.fairs.organizer_of(fair_id))
    except NotFound:
        raise NotFound("no such terminal") from None


async def suspend_terminal(uow: UnitOfWork[Repositories], *, terminal_id: UUID, by: Viewer) -> str:
    """Suspends a till of the organizer's fair: its tokens stop working, its sales stop.
    Answers its status (an unpaired till stays unpaired)."""
    await _organizers_till(uow, terminal_id, by)
    return await uow.repos.terminals.suspend(terminal_id)


async def unpair_terminal(uow: UnitOfWork[Repositories], *, terminal_id: UUID, by: Viewer) -> None:
    """Unpairs a till of the organizer's fair from its device: its token stops working on
    every replica at once; its sales stay in the reports. Unpairing again changes nothing."""
    await _organizers_till(uow, terminal_id, by)
    await uow.repos.terminals.unpair(terminal_id)
