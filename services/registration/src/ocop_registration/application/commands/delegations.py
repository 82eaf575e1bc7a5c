"""Delegation membership by consent: the delegation invites, the holder accepts or declines,
either side ends it. A membership takes effect, and is announced with the delegation's
members (``registration.exhibitor_updated``), when the holder accepts."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from ocop_registration.application import clock
from ocop_registration.application.access import check_self, is_self
from ocop_registration.application.ports import Repositories
from ocop_registration.domain import delegations
from ocop_registration.domain.delegations import Membership, NamedMembership
from ocop_registration.domain.exhibitors import Exhibitor
from ocop_shared.auth import Principal
from ocop_shared.errors import NotFound
from ocop_shared.uow import UnitOfWork


async def _delegation(repos: Repositories, delegation_id: UUID) -> Exhibitor:
    delegation = await repos.exhibitors.get(delegation_id, lock=True)
    if delegation is None:
        raise NotFound("no such exhibitor")
    return delegation


async def invite_members(
    uow: UnitOfWork[Repositories],
    principal: Principal,
    delegation_id: UUID,
    holder_ids: Sequence[UUID],
) -> list[NamedMembership]:
    """The delegation's users invite holders; nothing is announced until one accepts."""
    check_self(principal, delegation_id)
    delegation = await _delegation(uow.repos, delegation_id)
    found = await uow.repos.exhibitors.get_many(holder_ids)
    current = {
        m.holder_id: m for m in await uow.repos.exhibitors.memberships(delegation_id=delegation_id)
    }
    invited = delegations.invite(delegation, holder_ids, found, current, clock.now())
    await uow.repos.exhibitors.save_memberships(invited)
    return delegations.named(invited, found, delegation_id)


async def _invitation(
    repos: Repositories, principal: Principal, holder_id: UUID, delegation_id: UUID
) -> tuple[Membership, Exhibitor]:
    """The holder's own users see the invitations it received (others: 404)."""
    check_self(principal, holder_id, "invitation")
    delegation = await _delegation(repos, delegation_id)  # locked before the membership
    membership = await repos.exhibitors.membership(delegation_id, holder_id, lock=True)
    if membership is None:
        raise NotFound("no such invitation")
    return membership, delegation


async def accept_membership(
    uow: UnitOfWork[Repositories], principal: Principal, holder_id: UUID, delegation_id: UUID
) -> NamedMembership:
    membership, delegation = await _invitation(uow.repos, principal, holder_id, delegation_id)
    decided = delegations.accept(membership, delegation, clock.now())
    accepted, _ = decided.state
    await uow.repos.exhibitors.save_memberships([accepted])
    uow.emit_all(decided.events)
    return delegations.named([accepted], {delegation_id: delegation}, holder_id)[0]


async def decline_membership(
    uow: UnitOfWork[Repositories], principal: Principal, holder_id: UUID, delegation_id: UUID
) -> NamedMembership:
    membership, delegation = await _invitation(uow.repos, principal, holder_id, delegation_id)
    declined = delegations.decline(membership, clock.now())
    await uow.repos.exhibitors.save_memberships([declined])
    return delegations.named([declined], {delegation_id: delegation}, holder_id)[0]


async def end_membership(
    uow: UnitOfWork[Repositories], principal: Principal, delegation_id: UUID, holder_id: UUID
) -> Membership:
    """Either side: the delegation's users, or the member holder's (it leaves)."""
    if not (is_self(principal, delegation_id) or is_self(principal, holder_id)):
        raise NotFound("no such membership")
    delegation = await _delegation(uow.repos, delegation_id)
    membership = await uow.repos.exhibitors.membership(delegation_id, holder_id, lock=True)
    if membership is None:
        raise NotFound("no such membership")
    decided = delegations.end(membership, delegation, UUID(principal.subject), clock.now())
    ended, _ = decided.state
    await uow.repos.exhibitors.save_memberships([ended])
    uow.emit_all(decided.events)
    return ended
