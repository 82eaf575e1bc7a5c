"""Exhibitors: OCOP holders and delegations register themselves (or arrive with a province's
register) and keep their details up to date. Delegations' members: ``commands.delegations``."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from ocop_registration.application.access import check_self_or_admin
from ocop_registration.application.commands.credentials import issue_credential
from ocop_registration.application.ports import Repositories
from ocop_registration.domain import exhibitors
from ocop_shared.auth import Principal
from ocop_shared.errors import NotFound
from ocop_shared.uow import UnitOfWork


@dataclass(frozen=True)
class RegisteredExhibitor:
    exhibitor: exhibitors.Exhibitor
    token: str


async def add_exhibitor(
    uow: UnitOfWork[Repositories], draft: exhibitors.ExhibitorDraft
) -> exhibitors.Exhibitor:
    """Records a new exhibitor and announces it (no credential: see ``register_exhibitor``)."""
    decided = exhibitors.register(draft, uuid.uuid4())
    await uow.repos.exhibitors.save(decided.state)
    uow.emit_all(decided.events)
    return decided.state


async def register_exhibitor(
    uow: UnitOfWork[Repositories], draft: exhibitors.ExhibitorDraft
) -> RegisteredExhibitor:
    """Self-registration: the exhibitor, and its token (shown once)."""
    exhibitor = await add_exhibitor(uow, draft)
    token = await issue_credential(uow, "exhibitor", str(exhibitor.exhibitor_id), exhibitor.name)
    return RegisteredExhibitor(exhibitor, token)


async def update_exhibitor(
    uow: UnitOfWork[Repositories],
    principal: Principal,
    exhibitor_id: UUID,
    changes: Mapping[str, str | None],
) -> exhibitors.Exhibitor:
    check_self_or_admin(principal, exhibitor_id)
    current = await uow.repos.exhibitors.get(exhibitor_id, lock=True)
    if current is None:
        raise NotFound("no such exhibitor")
    decided = exhibitors.update(current, changes)
    await uow.repos.exhibitors.save(decided.state)
    uow.emit_all(decided.events)
    return decided.state
