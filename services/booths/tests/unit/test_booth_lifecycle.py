"""The booth lifecycle (domain/booths.py): every transition and every refusal. No I/O."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from ocop_booths.domain import booths as lc
from ocop_booths.domain.booths import Booth, Claimant, Occupant
from ocop_shared.contracts.booths import (
    BoothAssigned,
    BoothBlocked,
    BoothConfirmed,
    BoothHeld,
    BoothMoved,
    BoothReleased,
    BoothUnblocked,
)
from ocop_shared.errors import Conflict, NotFound

NOW = datetime(2025, 8, 20, 9, 0, tzinfo=UTC)
FAIR = uuid.uuid4()
ALICE = Claimant(uuid.uuid4(), uuid.uuid4())
BOB = Claimant(uuid.uuid4(), uuid.uuid4())


def free(code: str = "A-001", *, fair: uuid.UUID = FAIR, zone: str = "A") -> Booth:
    return Booth(uuid.uuid4(), fair, code, zone, "standard")


def occupied(
    status: str = "held",
    *,
    who: Claimant = ALICE,
    code: str = "A-001",
    fair: uuid.UUID = FAIR,
    expires: datetime | None = None,
    due: datetime | None = None,
) -> Booth:
    booth = free(code, fair=fair)
    o = Occupant(
        fair_id=fair, booth_id=booth.booth_id, booth_code=code, zone="A", exhibitor_id=who.exhibitor_id,
        application_id=who.application_id, status=status,  # type: ignore[arg-type]
        hold_expires_at=expires if status == "held" else None, payment_due_at=due if status == "assigned" else None,
    )  # fmt: skip
    return Booth(booth.booth_id, fair, code, "A", "standard", occupant=o)


def blocked() -> Booth:
    return Booth(uuid.uuid4(), FAIR, "A-009", "A", "standard", blocked=True)


# --- states and the transition table ------------------------------------------------------


@pytest.mark.parametrize(
    ("booth", "state"),
    [
        (free(), "free"),
        (occupied("held"), "held"),
        (occupied("assigned"), "assigned"),
        (occupied("confirmed"), "confirmed"),
        (blocked(), "blocked"),
    ],
)
def test_a_booths_state_comes_from_its_use_and_occupant(booth: Booth, state: str) -> None:
    assert booth.state == state


@pytest.mark.parametrize(
    ("action", "allowed"),
    [
        ("hold", {"free"}),
        ("assign", {"free"}),
        ("confirm", {"held", "assigned"}),
        ("release", {"held", "assigned", "confirmed"}),
        ("block", {"free"}),
        ("unblock", {"blocked"}),
    ],
)
def test_each_action_is_allowed_from_exactly_its_states(action: str, allowed: set[str]) -> None:
    booths = [free(), occupied("held"), occupied("assigned"), occupied("confirmed"), blocked()]
    assert {b.state for b in booths if lc.can(b, action)} == allowed


# --- hold, offer, assign --------------------------------------------------------------------


def test_hold_takes_a_free_booth_until_the_hold_expires() -> None:
    booth = free()
    d = lc.hold(booth, ALICE, now=NOW, minutes=30, actor="alice")
    assert d.booth.state == "held"
    o = d.booth.occupant
    assert o is not None and o.exhibitor_id == ALICE.exhibitor_id
    assert o.application_id == ALICE.application_id and o.booth_code == "A-001"
    assert o.hold_expires_at == NOW + timedelta(minutes=30) and o.payment_due_at is None
    [event] = d.events
    assert isinstance(event, BoothHeld) and event.occupancy == lc.snapshot(o)
    assert event.reason == "self-service hold" and event.actor == "alice"
    [entry] = d.audit
    assert (entry.action, entry.exhibitor_id, entry.actor) == ("held", ALICE.exhibitor_id, "alice")
    assert booth.state == "free"  # the decision returns a new booth; the old one is unchanged


def test_a_waitlist_offer_is_a_hold_for_the_candidate_naming_its_rank() -> None:
    d = lc.offer(free(), BOB, rank=3, now=NOW, minutes=45)
    assert d.booth.occupant is not None and d.booth.occupant.exhibitor_id == BOB.exhibitor_id
    assert d.booth.occupant.hold_expires_at == NOW + timedelta(minutes=45)
    [event] = d.events
    assert isinstance(event, BoothHeld)
    assert event.actor == "waitlist" and event.reason == "offered from the waitlist (rank 3)"


def test_assign_gives_a_free_booth_with_a_payment_deadline() -> None:
    due = NOW + timedelta(days=7)
    d = lc.assign(free(), ALICE, payment_due_at=due, actor="org", reason="allocation r")
    o = d.booth.occupant
    assert d.booth.state == "assigned" and o is not None
    assert o.payment_due_at == due and o.hold_expires_at is None
    [event] = d.events
    assert isinstance(event, BoothAssigned) and event.reason == "allocation r"
    assert [a.action for a in d.audit] == ["assigned"]


@pytest.mark.parametrize("status", ["held", "assigned", "confirmed"])
@pytest.mark.parametrize("take", ["hold", "assign"])
def test_an_occupied_booth_cannot_be_taken_again(status: str, take: str) -> None:
    booth = occupied(status, who=ALICE)
    with pytest.raises(Conflict, match="just taken") as refused:
        if take == "hold":
            lc.hold(booth, BOB, now=NOW, minutes=30, actor="bob")
        else:
            lc.assign(booth, BOB, payment_due_at=NOW, actor="org", reason="r")
    assert refused.value.field == "booth_id"


@pytest.mark.parametrize("take", ["hold", "assign", "offer"])
def test_a_blocked_booth_cannot_be_taken(take: str) -> None:
    with pytest.raises(Conflict, match="blocked") as refused:
        if take == "hold":
            lc.hold(blocked(), BOB, now=NOW, minutes=30, actor="bob")
        elif take == "assign":
            lc.assign(blocked(), BOB, payment_due_at=NOW, actor="org", reason="r")
        else:
            lc.offer(blocked(), BOB, rank=1, now=NOW, minutes=60)
    assert refused.value.field == "booth_id"


# --- confirm ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["held", "assigned"])
def test_confirm_clears_the_deadlines(status: str) -> None:
    booth = occupied(status, expires=NOW, due=NOW)
    d = lc.confirm(booth, actor="org")
    o = d.booth.occupant
    assert o is not None and o.status == "confirmed"
    assert o.hold_expires_at is None and o.payment_due_at is None
    assert o.exhibitor_id == ALICE.exhibitor_id
    [event] = d.events
    assert isinstance(event, BoothConfirmed) and event.reason == "paid"
    assert [(a.action, a.reason) for a in d.audit] == [("confirmed", "paid")]


@pytest.mark.parametrize("booth", [free(), occupied("confirmed"), blocked()])
def test_only_a_held_or_assigned_booth_is_confirmed(booth: Booth) -> None:
    with pytest.raises(Conflict, match="cannot be confirmed"):
        lc.confirm(booth, actor="org")


# --- release, give up, expire -----------------------------------------------------------------


@pytest.mark.parametrize("status", ["held", "assigned", "confirmed"])
def test_release_frees_an_occupied_booth_and_announces_who_left(status: str) -> None:
    booth = occupied(status)
    d = lc.release(booth, reason="application withdrawn", actor="registration")
    assert d.booth.state == "free" and d.booth.occupant is None
    [event] = d.events
    assert isinstance(event, BoothReleased) and booth.occupant is not None
    assert event.occupancy == lc.snapshot(booth.occupant)
    assert [(a.action, a.exhibitor_id) for a in d.audit] == [("released", ALICE.exhibitor_id)]


@pytest.mark.parametrize("booth", [free(), blocked()])
def test_nobody_to_release(booth: Booth) -> None:
    with pytest.raises(Conflict, match="nobody occupies"):
        lc.release(booth, reason="r", actor="a")


def test_the_holder_gives_its_hold_back() -> None:
    d = lc.give_up_hold(occupied("held"), exhibitor_id=ALICE.exhibitor_id, actor="alice")
    assert d.booth.state == "free"
    assert [a.reason for a in d.audit] == ["hold given up"]


@pytest.mark.parametrize(
    ("booth", "who"),
    [
        (occupied("held", who=ALICE), BOB.exhibitor_id),  # someone else's hold
        (occupied("assigned", who=ALICE), ALICE.exhibitor_id),  # not a hold
        (occupied("confirmed", who=ALICE), ALICE.exhibitor_id),
        (free(), ALICE.exhibitor_id),
    ],
)
def test_no_such_hold_to_give_up(booth: Booth, who: uuid.UUID) -> None:
    with pytest.raises(NotFound, match="no such hold"):
        lc.give_up_hold(booth, exhibitor_id=who, actor="x")


@pytest.mark.parametrize(
    ("booth", "reason"),
    [
        (occupied("held", expires=NOW - timedelta(seconds=1)), "hold expired"),
        (occupied("assigned", due=NOW - timedelta(seconds=1)), "payment deadline passed"),
    ],
)
def test_a_deadline_passed_releases_the_booth(booth: Booth, reason: str) -> None:
    d = lc.expire(booth, now=NOW)
    assert d is not None and d.booth.state == "free"
    [event] = d.events
    assert isinstance(event, BoothReleased) and event.reason == reason and event.actor == "deadline"


@pytest.mark.parametrize(
    "booth",
    [
        occupied("held", expires=NOW + timedelta(seconds=1)),
        occupied("held", expires=NOW),  # not before now: still held
        occupied("assigned", due=NOW + timedelta(days=1)),
        occupied("confirmed"),  # paid: no deadline
        free(),
    ],
)
def test_nothing_expires_before_its_deadline(booth: Booth) -> None:
    assert lc.expire(booth, now=NOW) is None


# --- block, unblock ---------------------------------------------------------------------------


def test_blocking_a_free_booth() -> None:
    d = lc.block(free(), reason="cột điện", actor="org")
    assert d.booth.state == "blocked"
    [event] = d.events
    assert isinstance(event, BoothBlocked) and event.reason == "cột điện"
    assert [a.action for a in d.audit] == ["blocked"]


@pytest.mark.parametrize("status", ["held", "assigned", "confirmed"])
def test_blocking_an_occupied_booth_is_refused_naming_it(status: str) -> None:
    # Organizers block for damage or safety: they move the exhibitor first, so nobody keeps a
    # blocked booth, nor loses one without being placed again.
    with pytest.raises(Conflict) as refused:
        lc.block(occupied(status, code="B-007"), reason="cột điện", actor="org")
    assert refused.value.field == "booth_id"
    assert "B-007" in str(refused.value) and "move the exhibitor" in str(refused.value)


def test_a_booth_that_cannot_be_taken_says_why() -> None:
    assert "A-009 is blocked" in str(lc.not_free(blocked()))
    assert str(lc.not_free(occupied("held"))) == lc.TAKEN
    assert str(lc.not_free(None)) == lc.TAKEN


def test_a_blocked_booth_is_not_blocked_twice() -> None:
    with pytest.raises(Conflict, match="already blocked"):
        lc.block(blocked(), reason="r", actor="org")


def test_unblocking_puts_the_booth_back_in_use() -> None:
    d = lc.unblock(blocked(), reason="đã sửa", actor="org")
    assert d.booth.state == "free"
    [event] = d.events
    assert isinstance(event, BoothUnblocked) and event.booth_code == "A-009"
    assert [a.action for a in d.audit] == ["unblocked"]


@pytest.mark.parametrize("booth", [free(), occupied("held")])
def test_only_a_blocked_booth_is_unblocked(booth: Booth) -> None:
    with pytest.raises(Conflict, match="not blocked"):
        lc.unblock(booth, reason="r", actor="org")


# --- move, swap -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["held", "assigned", "confirmed"])
def test_a_move_carries_the_occupant_and_its_state_to_a_free_booth(status: str) -> None:
    source, target = occupied(status, code="A-001"), free("B-002", zone="B")
    m = lc.move(source, target, actor="org", reason="gần lối đi")
    left, arrived = m.booths
    assert left.state == "free" and arrived.state == status
    assert arrived.occupant is not None and source.occupant is not None
    assert arrived.occupant.booth_id == target.booth_id and arrived.occupant.zone == "B"
    assert arrived.occupant.exhibitor_id == source.occupant.exhibitor_id
    [event] = m.events
    assert isinstance(event, BoothMoved)
    assert event.from_booth_id == source.booth_id and event.from_booth_code == "A-001"
    assert [a.reason for a in m.audit] == ["gần lối đi (from A-001)"]


def test_nobody_to_move() -> None:
    with pytest.raises(Conflict, match="nobody occupies") as refused:
        lc.move(free(), free("A-002"), actor="org", reason="r")
    assert refused.value.field == "booth_id"


@pytest.mark.parametrize(
    "target",
    [None, occupied("held", who=BOB, code="A-002"), blocked(), free("Z-1", fair=uuid.uuid4())],
    ids=["missing", "taken", "blocked", "other fair"],
)
def test_a_move_needs_a_free_target_at_the_same_fair(target: Booth | None) -> None:
    with pytest.raises(Conflict, match="taken, blocked or at another fair") as refused:
        lc.move(occupied("held"), target, actor="org", reason="r")
    assert refused.value.field == "to_booth_id"


def test_a_swap_exchanges_occupants_with_their_states_and_deadlines() -> None:
    due = NOW + timedelta(days=3)
    a = occupied("held", who=ALICE, code="A-001", expires=NOW)
    b = occupied("assigned", who=BOB, code="A-002", due=due)
    s = lc.swap(a, b, actor="org", reason="cùng khu")
    new_a, new_b = s.booths
    assert new_a.occupant is not None and new_b.occupant is not None
    assert new_a.occupant.exhibitor_id == BOB.exhibitor_id and new_a.state == "assigned"
    assert new_a.occupant.payment_due_at == due and new_a.occupant.booth_code == "A-001"
    assert new_b.occupant.exhibitor_id == ALICE.exhibitor_id and new_b.state == "held"
    assert new_b.occupant.hold_expires_at == NOW and new_b.occupant.booth_code == "A-002"
    # events and audit rows in booth id order, each naming where its occupant came from
    ordered = sorted([(new_a, b), (new_b, a)], key=lambda pair: pair[0].booth_id)
    assert [e.from_booth_code for e in s.events if isinstance(e, BoothMoved)] == [
        origin.code for _, origin in ordered
    ]
    assert [entry.reason for entry in s.audit] == [
        f"cùng khu (swapped with {origin.code})" for _, origin in ordered
    ]


@pytest.mark.parametrize("case", ["same booth", "first free", "second free"])
def test_a_swap_needs_two_occupied_booths(case: str) -> None:
    a = occupied("held")
    b = {"same booth": a, "first free": occupied("held", who=BOB), "second free": free()}[case]
    if case == "first free":
        a = free()
    with pytest.raises(Conflict, match="two occupied booths") as refused:
        lc.swap(a, b, actor="org", reason="r")
    assert refused.value.field == "other_booth_id"


def test_a_swap_stays_within_one_fair() -> None:
    a, b = occupied("held"), occupied("held", who=BOB, fair=uuid.uuid4())
    with pytest.raises(Conflict, match="different fairs"):
        lc.swap(a, b, actor="org", reason="r")


# --- limits -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("have", "limit"), [(1, 1), (2, 2), (3, 2)])
def test_an_application_at_its_booth_limit_holds_no_more(have: int, limit: int) -> None:
    with pytest.raises(Conflict, match=f"you already have {have} of your {limit}"):
        lc.check_room(have=have, limit=limit)


def test_an_application_under_its_limit_may_hold_another() -> None:
    lc.check_room(have=1, limit=2)
