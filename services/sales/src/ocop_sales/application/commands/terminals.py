"""Enrolling, suspending and unpairing tills (organizers); pairing codes, and a device pairing
with one (anyone holding a valid code)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from uuid import UUID

from ocop_sales.application.ports import PairedTill, Repositories
from ocop_sales.domain.access import Viewer, check_organizer
from ocop_sales.domain.terminals import (
    Enrolment,
    PairingCode,
    check_can_get_code,
    enrol,
    new_pairing_code,
    normalise_pairing_code,
    pairing_code_hash,
    pairing_not_found,
)
from ocop_shared.errors import NotFound
from ocop_shared.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Enrolled:
    enrolment: Enrolment
    receipt_prefix: str
    token: str | None  # shown once; only its hash is stored (None: a pairing code instead)
    pairing: PairingCode | None = None  # shown once; only its hash is stored


@dataclass(frozen=True, slots=True)
class Paired:
    till: PairedTill
    token: str  # the device credential, shown once


async def enrol_terminal(
    uow: UnitOfWork[Repositories],
    *,
    fair_id: UUID,
    booth_id: UUID,
    label: str,
    by: Viewer,
    pairing: bool = False,
) -> Enrolled:
    """Enrols a till for a booth an exhibitor holds at the organizer's fair: with its device
    token, or (``pairing``) with a one-time pairing code a device pairs with, and no device
    credential until it does."""
    check_organizer(by, await uow.repos.fairs.organizer_of(fair_id))
    holder = await uow.repos.booths.holder(booth_id)
    selling = await uow.repos.fairs.selling(fair_id)
    enrolment = enrol(uuid.uuid4(), fair_id, label, holder, enrolled_by=by.subject, selling=selling)
    terminals = uow.repos.terminals
    prefix = await terminals.add(enrolment)
    if pairing:
        code = await _new_code(uow, enrolment.terminal_id, by)
        return Enrolled(enrolment, prefix, None, code)
    token = await terminals.issue_device_token(enrolment.terminal_id, enrolment.label)
    return Enrolled(enrolment, prefix, token)


async def _new_code(uow: UnitOfWork[Repositories], terminal_id: UUID, by: Viewer) -> PairingCode:
    code = new_pairing_code()
    expires_at = await uow.repos.terminals.add_pairing(
        terminal_id, pairing_code_hash(code), by.subject
    )
    return PairingCode(terminal_id, code, expires_at)


async def issue_pairing_code(
    uow: UnitOfWork[Repositories], *, terminal_id: UUID, by: Viewer
) -> PairingCode:
    """A new pairing code for a till of the organizer's fair (a replacement device): the
    till's device credential is revoked at once, its earlier unused codes too."""
    await _organizers_till(uow, terminal_id, by)
    till = await uow.repos.terminals.get(terminal_id)
    assert till is not None  # locked by _organizers_till
    check_can_get_code(till.status)
    await uow.repos.terminals.revoke_tokens(terminal_id)
    return await _new_code(uow, terminal_id, by)


async def pair_device(uow: UnitOfWork[Repositories], *, code: str) -> Paired:
    """A device pairs with a code: the code is used up and the till's device credential
    issued in one transaction. An unknown, used or expired code, or a till that is suspended
    or unpaired, all answer the same 404 naming ``code``."""
    normalised = normalise_pairing_code(code)
    if normalised is None:
        raise pairing_not_found()
    terminals = uow.repos.terminals
    till = await terminals.use_pairing(pairing_code_hash(normalised))
    if till is None:
        raise pairing_not_found()
    token = await terminals.issue_device_token(till.terminal_id, till.label)
    return Paired(till, token)


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
