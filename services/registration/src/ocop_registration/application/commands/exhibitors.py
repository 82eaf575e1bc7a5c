"""Exhibitors: OCOP holders and delegations register themselves (or arrive with a province's
register) and keep their details up to date. Delegations' members: ``commands.delegations``."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ocop_registration.application.access import check_self_or_admin, is_self
from ocop_registration.application.commands.credentials import OpenedSession, open_session
from ocop_registration.application.commands.organizations import create_user
from ocop_registration.application.ports import Repositories
from ocop_registration.domain import exhibitors
from ocop_registration.domain.identity import (
    AccountDraft,
    Membership,
    Organization,
    SessionPolicy,
)
from ocop_shared.auth import Principal
from ocop_shared.errors import Conflict, Forbidden, NotFound
from ocop_shared.uow import UnitOfWork


@dataclass(frozen=True)
class RegisteredExhibitor:
    exhibitor: exhibitors.Exhibitor
    opened: OpenedSession  # the owner's first session


async def add_exhibitor(
    uow: UnitOfWork[Repositories], draft: exhibitors.ExhibitorDraft
) -> exhibitors.Exhibitor:
    """Records a new exhibitor and announces it (no credential: see ``register_exhibitor``)."""
    decided = exhibitors.register(draft, uuid.uuid4())
    await uow.repos.exhibitors.save(decided.state)
    uow.emit_all(decided.events)
    await uow.repos.organizations.add(organization_of(decided.state))
    return decided.state


def organization_of(exhibitor: exhibitors.Exhibitor) -> Organization:
    """Every exhibitor is an organization (its people act for it), with the exhibitor's id."""
    return Organization(
        str(exhibitor.exhibitor_id),
        "delegation" if exhibitor.kind == "delegation" else "holder",
        exhibitor.name,
        exhibitor.province,
    )


async def register_exhibitor(
    uow: UnitOfWork[Repositories],
    draft: exhibitors.ExhibitorDraft,
    owner: AccountDraft,
    policy: SessionPolicy,
    now: datetime,
) -> RegisteredExhibitor:
    """Sign-up: the exhibitor with its owner's account, and the owner's first session (its
    token shown once). A tax code already registered is not taken over: its owner (or the
    platform, for a holder that came with a province's register) invites people."""
    exhibitors.register(draft, uuid.uuid4())  # every field checked before anything is written
    tax_code = exhibitors.parse_tax_code(draft.tax_code) if draft.tax_code else None
    if tax_code and await uow.repos.exhibitors.by_tax_code(tax_code) is not None:
        raise Conflict(
            "tax_code already registered; ask its owner, or the platform for a register's "
            "holder, for an invitation",
            field="tax_code",
        )
    user = await create_user(uow, owner, "owner", now)
    exhibitor = await add_exhibitor(uow, draft)
    organization = organization_of(exhibitor)
    await uow.repos.users.add_membership(user.user_id, organization.organization_id, "owner", now)
    opened = await open_session(uow, user, Membership(organization, "owner"), policy, now)
    return RegisteredExhibitor(exhibitor, opened)


async def update_exhibitor(
    uow: UnitOfWork[Repositories],
    principal: Principal,
    exhibitor_id: UUID,
    changes: Mapping[str, str | None],
) -> exhibitors.Exhibitor:
    check_self_or_admin(principal, exhibitor_id)
    if any(name in changes for name in exhibitors.BANK_FIELDS):
        check_bank_owner(principal, exhibitor_id)
    current = await uow.repos.exhibitors.get(exhibitor_id, lock=True)
    if current is None:
        raise NotFound("no such exhibitor")
    decided = exhibitors.update(current, changes)
    await uow.repos.exhibitors.save(decided.state)
    uow.emit_all(decided.events)
    return decided.state


def check_bank_owner(principal: Principal, exhibitor_id: UUID) -> None:
    """Where the exhibitor's money goes is its owners' decision: its staff, its API keys
    (they act as staff) and the platform admin are refused (403), naming the field."""
    if not (is_self(principal, exhibitor_id) and principal.is_owner):
        raise Forbidden(
            "only an owner of the exhibitor sets its receiving bank account", field="bank_bin"
        )
