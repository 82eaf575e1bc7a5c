"""Delegation membership by consent: invited, accepted or declined by the holder, ended by
either side; only accepted members are members (and announced)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from ocop_registration.domain import delegations
from ocop_registration.domain.delegations import Membership
from ocop_registration.domain.events import exhibitor_snapshot
from ocop_registration.domain.exhibitors import Exhibitor
from ocop_shared.contracts.registration import ExhibitorUpdated
from ocop_shared.errors import Conflict, InvalidField

from .builders import NOW, holder

LATER = NOW + timedelta(hours=1)


def _invited(delegation: Exhibitor, member: Exhibitor) -> Membership:
    [invitation] = delegations.invite(
        delegation, [member.exhibitor_id], {member.exhibitor_id: member}, {}, NOW
    )
    return invitation


def test_an_invitation_is_pending_and_makes_no_member() -> None:
    member, delegation = holder(), holder("delegation")
    invitation = _invited(delegation, member)
    assert invitation.status == "pending" and invitation.invited_at == NOW
    assert invitation.holder_id == member.exhibitor_id
    assert invitation.delegation_id == delegation.exhibitor_id


def test_accepting_makes_a_member_and_announces_the_delegations_members() -> None:
    a, b = holder(), holder("household_business")
    delegation = holder("delegation", [b.exhibitor_id])
    decided = delegations.accept(_invited(delegation, a), delegation, LATER)
    accepted, updated = decided.state
    assert accepted.status == "accepted" and accepted.decided_at == LATER
    assert updated.member_ids == sorted([a.exhibitor_id, b.exhibitor_id])
    [event] = decided.events
    assert isinstance(event, ExhibitorUpdated)
    assert event.exhibitor == exhibitor_snapshot(updated)


def test_declining_announces_nothing_and_cannot_be_accepted_later() -> None:
    member, delegation = holder(), holder("delegation")
    declined = delegations.decline(_invited(delegation, member), LATER)
    assert declined.status == "declined"
    with pytest.raises(Conflict, match="declined"):
        delegations.accept(declined, delegation, LATER)


def test_a_declined_or_ended_membership_can_be_invited_again_an_accepted_one_stays() -> None:
    member, other, delegation = holder(), holder(), holder("delegation")
    declined = delegations.decline(_invited(delegation, member), LATER)
    accepted = delegations.accept(_invited(delegation, other), delegation, LATER).state[0]
    found = {member.exhibitor_id: member, other.exhibitor_id: other}
    again = delegations.invite(
        delegation,
        [member.exhibitor_id, other.exhibitor_id],
        found,
        {member.exhibitor_id: declined, other.exhibitor_id: accepted},
        LATER,
    )
    assert [m.status for m in again] == ["pending", "accepted"]
    assert again[1] == accepted


def test_either_side_ends_an_accepted_membership_and_it_is_announced() -> None:
    member = holder()
    delegation = holder("delegation")
    accepted, joined = delegations.accept(_invited(delegation, member), delegation, LATER).state
    decided = delegations.end(accepted, joined, member.exhibitor_id, LATER)
    ended, left = decided.state
    assert ended.status == "ended" and ended.ended_by == member.exhibitor_id
    assert left.member_ids == []
    [event] = decided.events
    assert isinstance(event, ExhibitorUpdated) and event.exhibitor.member_ids == []


def test_ending_a_pending_invitation_announces_nothing() -> None:
    member, delegation = holder(), holder("delegation")
    decided = delegations.end(
        _invited(delegation, member), delegation, delegation.exhibitor_id, LATER
    )
    assert decided.state[0].status == "ended" and decided.events == []


@pytest.mark.parametrize(
    ("kind", "member_kind", "known", "message"),
    [
        ("delegation", "cooperative", False, "unknown holders"),
        ("cooperative", "cooperative", True, "only a delegation"),
        ("delegation", "delegation", True, "is a delegation, not a holder"),
    ],
)
def test_members_are_known_holders_of_a_delegation(
    kind: str, member_kind: str, known: bool, message: str
) -> None:
    member = holder(member_kind)
    with pytest.raises(InvalidField, match=message) as refused:
        delegations.invite(
            holder(kind),
            [member.exhibitor_id],
            {member.exhibitor_id: member} if known else {},
            {},
            NOW,
        )
    assert refused.value.field == "member_ids"


def test_the_same_holder_named_twice_is_invited_once() -> None:
    member, delegation = holder(), holder("delegation")
    invited = delegations.invite(
        delegation, [member.exhibitor_id] * 2, {member.exhibitor_id: member}, {}, NOW
    )
    assert len(invited) == 1 and invited[0].holder_id == member.exhibitor_id
    assert uuid.UUID(str(invited[0].delegation_id)) == delegation.exhibitor_id
