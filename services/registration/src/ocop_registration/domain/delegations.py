"""Delegation membership by consent: a delegation (a province's trade department exhibiting for
several holders) invites holders; only the invited holder accepts or declines; either side
ends it. Only accepted members count: a delegation applies with its accepted members'
products, and its announced ``member_ids`` are the accepted ones, so a membership takes
effect (and is announced) when it is accepted, and stops when it ends."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from ocop_registration.domain.decision import Decision
from ocop_registration.domain.events import exhibitor_snapshot
from ocop_registration.domain.exhibitors import Exhibitor
from ocop_shared.contracts.registration import ExhibitorUpdated
from ocop_shared.errors import Conflict, InvalidField

MembershipStatus = Literal["pending", "accepted", "declined", "ended"]


class Membership(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    delegation_id: UUID
    holder_id: UUID
    status: MembershipStatus
    invited_at: datetime
    decided_at: datetime | None = None
    ended_by: UUID | None = None  # the delegation or the holder, whichever ended it


class Party(BaseModel):
    """The other side of a membership, as its reader needs to name it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    exhibitor_id: UUID
    name: str
    kind: str
    province: str


class NamedMembership(Membership):
    """A membership with the other party named: the holder, to the delegation; the
    delegation, to the holder."""

    other: Party


def named(
    memberships: Sequence[Membership], exhibitors: Mapping[UUID, Exhibitor], reader: UUID
) -> list[NamedMembership]:
    """Each membership with its other party (the one that is not ``reader``), from
    ``exhibitors``, which holds them all."""
    out = []
    for m in memberships:
        other = exhibitors[m.holder_id if m.delegation_id == reader else m.delegation_id]
        party = Party(
            exhibitor_id=other.exhibitor_id,
            name=other.name,
            kind=other.kind,
            province=other.province,
        )
        out.append(NamedMembership(**m.model_dump(), other=party))
    return out


def invite(
    delegation: Exhibitor,
    holder_ids: Sequence[UUID],
    found: Mapping[UUID, Exhibitor],
    current: Mapping[UUID, Membership],
    now: datetime,
) -> list[Membership]:
    """Invitations for known holders (not delegations, not itself). An accepted member stays
    as it is; a pending invitation stays pending; a declined or ended one is invited again.
    Nothing is announced: an invitation admits nothing until the holder accepts."""
    if delegation.kind != "delegation":
        raise InvalidField("member_ids", "only a delegation has member holders")
    missing = [str(h) for h in holder_ids if h not in found]
    if missing:
        raise InvalidField("member_ids", f"unknown holders: {', '.join(missing)}")
    out: list[Membership] = []
    for holder_id in dict.fromkeys(holder_ids):
        if found[holder_id].kind == "delegation":
            raise InvalidField("member_ids", f"{holder_id} is a delegation, not a holder")
        existing = current.get(holder_id)
        if existing is not None and existing.status in ("pending", "accepted"):
            out.append(existing)
            continue
        out.append(
            Membership(
                delegation_id=delegation.exhibitor_id,
                holder_id=holder_id,
                status="pending",
                invited_at=now,
            )
        )
    return out


def _with_members(delegation: Exhibitor, members: set[UUID]) -> Decision[Exhibitor]:
    updated = delegation.model_copy(update={"member_ids": sorted(members)})
    return Decision(updated, [ExhibitorUpdated(exhibitor=exhibitor_snapshot(updated))])


def accept(
    membership: Membership, delegation: Exhibitor, now: datetime
) -> Decision[tuple[Membership, Exhibitor]]:
    """The holder accepts: it becomes a member, announced with the delegation's members."""
    if membership.status == "accepted":
        return Decision((membership, delegation))  # accepted twice: nothing new
    if membership.status != "pending":
        raise Conflict(
            f"the invitation was {membership.status}; ask the delegation to invite you again",
            field="status",
        )
    accepted = membership.model_copy(update={"status": "accepted", "decided_at": now})
    decided = _with_members(delegation, {*delegation.member_ids, membership.holder_id})
    return Decision((accepted, decided.state), decided.events)


def decline(membership: Membership, now: datetime) -> Membership:
    if membership.status == "declined":
        return membership
    if membership.status != "pending":
        raise Conflict(
            f"the membership is {membership.status}; end it instead of declining",
            field="status",
        )
    return membership.model_copy(update={"status": "declined", "decided_at": now})


def end(
    membership: Membership, delegation: Exhibitor, by: UUID, now: datetime
) -> Decision[tuple[Membership, Exhibitor]]:
    """Either side ends a membership (or withdraws or refuses a pending invitation). Ending an
    accepted one is announced: the holder is no longer among the delegation's members."""
    if membership.status in ("declined", "ended"):
        return Decision((membership, delegation))
    ended = membership.model_copy(update={"status": "ended", "decided_at": now, "ended_by": by})
    if membership.status != "accepted":
        return Decision((ended, delegation))
    decided = _with_members(delegation, set(delegation.member_ids) - {membership.holder_id})
    return Decision((ended, decided.state), decided.events)
