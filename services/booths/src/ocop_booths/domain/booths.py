"""The booth lifecycle as a state machine. No I/O.

A booth is ``free``, ``held`` (an exhibitor's self-service hold, or a waitlist offer, until
``hold_expires_at``), ``assigned`` (by an allocation run, until ``payment_due_at``),
``confirmed`` (paid) or ``blocked`` (out of use). Each decision takes the booth as it is
(and the time, where a deadline matters) and returns its new state, the events announcing the
change and the audit rows recording it; a refusal raises a domain error. Persisting the new
state (and losing a race for a free booth, which the occupancy primary key turns into a 409)
is the repositories' business.

A booth's occupant is booths' own ``Occupant``; the ``Occupancy`` snapshot the assignment
events carry is made from it in one place (``snapshot``), when a decision makes its events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from ocop_booths.domain import reasons
from ocop_booths.domain.reasons import Reason
from ocop_booths.domain.refusals import (
    AlreadyBlocked,
    BoothIsBlocked,
    BoothLimitReached,
    BoothNotOccupied,
    BoothOccupied,
    BoothTaken,
    DifferentFairs,
    HoldNotFound,
    NotBlocked,
    NotConfirmable,
    SwapNeedsTwoOccupied,
    TargetNotFree,
)
from ocop_shared.contracts.booths import (
    BoothAssigned,
    BoothBlocked,
    BoothConfirmed,
    BoothHeld,
    BoothMoved,
    BoothReleased,
    BoothUnblocked,
    Occupancy,
)
from ocop_shared.errors import Conflict
from ocop_shared.events import Event

BoothState = Literal["free", "held", "assigned", "confirmed", "blocked"]
OccupantStatus = Literal["held", "assigned", "confirmed"]
OCCUPIED: frozenset[BoothState] = frozenset({"held", "assigned", "confirmed"})

# action -> (from states, to state, event announcing it). ``move`` and ``swap`` carry an
# occupant from one booth to another with its state: the source must be occupied, a move's
# target free, a swap's other booth occupied too.
TRANSITIONS: dict[str, tuple[frozenset[BoothState], BoothState, type[Event]]] = {
    "hold": (frozenset({"free"}), "held", BoothHeld),
    "assign": (frozenset({"free"}), "assigned", BoothAssigned),
    "confirm": (frozenset({"held", "assigned"}), "confirmed", BoothConfirmed),
    "release": (OCCUPIED, "free", BoothReleased),
    "block": (frozenset({"free"}), "blocked", BoothBlocked),
    "unblock": (frozenset({"blocked"}), "free", BoothUnblocked),
}

TAKEN = "this booth was just taken by someone else"
TARGET_NOT_FREE = "the target booth is taken, blocked or at another fair"


@dataclass(frozen=True, slots=True)
class Occupant:
    """Who occupies a booth, in which state, with which deadline."""

    fair_id: UUID
    booth_id: UUID
    booth_code: str
    zone: str
    exhibitor_id: UUID
    application_id: UUID
    status: OccupantStatus
    hold_expires_at: datetime | None = None
    payment_due_at: datetime | None = None


def snapshot(o: Occupant) -> Occupancy:
    """The occupant as the assignment events carry it."""
    return Occupancy(
        fair_id=o.fair_id,
        booth_id=o.booth_id,
        booth_code=o.booth_code,
        zone=o.zone,
        exhibitor_id=o.exhibitor_id,
        application_id=o.application_id,
        status=o.status,
        hold_expires_at=o.hold_expires_at,
        payment_due_at=o.payment_due_at,
    )


@dataclass(frozen=True, slots=True)
class Booth:
    booth_id: UUID
    fair_id: UUID
    code: str
    zone: str
    booth_type: str
    blocked: bool = False
    occupant: Occupant | None = None

    @property
    def state(self) -> BoothState:
        if self.blocked:
            return "blocked"
        return "free" if self.occupant is None else self.occupant.status


@dataclass(frozen=True, slots=True)
class Claimant:
    """Who wants a booth: an application with a booth request, and its exhibitor."""

    application_id: UUID
    exhibitor_id: UUID


@dataclass(frozen=True, slots=True)
class AuditEntry:
    fair_id: UUID
    booth_id: UUID
    action: str
    exhibitor_id: UUID | None
    actor: str
    reason: str
    reason_code: str | None = None  # domain.reasons: the reason as a code and its parameters
    reason_params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Decision:
    """The booth after the change, the events announcing it, and what the audit records."""

    booth: Booth
    events: tuple[Event, ...]
    audit: tuple[AuditEntry, ...]


@dataclass(frozen=True, slots=True)
class Relocation:
    """A move or a swap: both booths after the change."""

    booths: tuple[Booth, Booth]
    events: tuple[Event, ...]
    audit: tuple[AuditEntry, ...]


def can(booth: Booth, action: str) -> bool:
    sources, _target, _event = TRANSITIONS[action]
    return booth.state in sources


def _entry(
    fair_id: UUID,
    booth_id: UUID,
    action: str,
    exhibitor_id: UUID | None,
    actor: str,
    why: Reason,
) -> AuditEntry:
    return AuditEntry(
        fair_id, booth_id, action, exhibitor_id, actor, why.text, why.code, dict(why.params)
    )


def _audit(o: Occupant, action: str, actor: str, why: Reason) -> AuditEntry:
    return _entry(o.fair_id, o.booth_id, action, o.exhibitor_id, actor, why)


def not_free(booth: Booth | None) -> Conflict:
    """Why a booth could not be taken after all (read again once the write found it gone)."""
    if booth is not None and booth.blocked:
        return BoothIsBlocked(f"booth {booth.code} is blocked", field="booth_id")
    return BoothTaken(TAKEN, field="booth_id")


def _take(
    booth: Booth,
    claimant: Claimant,
    status: OccupantStatus,
    *,
    hold_expires_at: datetime | None,
    payment_due_at: datetime | None,
    actor: str,
    reason: str | Reason,
) -> Decision:
    if booth.blocked or booth.occupant is not None:
        raise not_free(booth)
    why = reasons.of(reason)
    o = Occupant(
        fair_id=booth.fair_id,
        booth_id=booth.booth_id,
        booth_code=booth.code,
        zone=booth.zone,
        exhibitor_id=claimant.exhibitor_id,
        application_id=claimant.application_id,
        status=status,
        hold_expires_at=hold_expires_at,
        payment_due_at=payment_due_at,
    )
    event = (BoothHeld if status == "held" else BoothAssigned)(
        occupancy=snapshot(o), reason=why.text, actor=actor
    )
    return Decision(replace(booth, occupant=o), (event,), (_audit(o, status, actor, why),))


def hold(
    booth: Booth,
    claimant: Claimant,
    *,
    now: datetime,
    minutes: int,
    actor: str,
    reason: str | Reason | None = None,
) -> Decision:
    """free -> held, until ``now + minutes``."""
    return _take(
        booth,
        claimant,
        "held",
        hold_expires_at=now + timedelta(minutes=minutes),
        payment_due_at=None,
        actor=actor,
        reason=reasons.self_service_hold() if reason is None else reason,
    )


def offer(booth: Booth, claimant: Claimant, *, rank: int, now: datetime, minutes: int) -> Decision:
    """free -> held for the waitlist's best candidate, until ``now + minutes``."""
    return hold(
        booth,
        claimant,
        now=now,
        minutes=minutes,
        actor="waitlist",
        reason=reasons.waitlist_offer(rank),
    )


def assign(
    booth: Booth,
    claimant: Claimant,
    *,
    payment_due_at: datetime,
    actor: str,
    reason: str | Reason,
) -> Decision:
    """free -> assigned (an allocation run), to be paid by ``payment_due_at``."""
    return _take(
        booth,
        claimant,
        "assigned",
        hold_expires_at=None,
        payment_due_at=payment_due_at,
        actor=actor,
        reason=reason,
    )


def confirm(booth: Booth, *, actor: str, reason: str | Reason | None = None) -> Decision:
    """held or assigned -> confirmed: paid, no deadline any more."""
    if booth.occupant is None or not can(booth, "confirm"):
        raise NotConfirmable(f"a {booth.state} booth cannot be confirmed", field="booth_id")
    why = reasons.paid() if reason is None else reasons.of(reason)
    o = replace(booth.occupant, status="confirmed", hold_expires_at=None, payment_due_at=None)
    return Decision(
        replace(booth, occupant=o),
        (BoothConfirmed(occupancy=snapshot(o), reason=why.text, actor=actor),),
        (_audit(o, "confirmed", actor, why),),
    )


def release(booth: Booth, *, reason: str | Reason, actor: str) -> Decision:
    """held, assigned or confirmed -> free."""
    o = booth.occupant
    if o is None or not can(booth, "release"):
        raise BoothNotOccupied("nobody occupies that booth", field="booth_id")
    why = reasons.of(reason)
    return Decision(
        replace(booth, occupant=None),
        (BoothReleased(occupancy=snapshot(o), reason=why.text, actor=actor),),
        (_audit(o, "released", actor, why),),
    )


def give_up_hold(booth: Booth, *, exhibitor_id: UUID, actor: str) -> Decision:
    """The holder gives its hold back: held -> free. Anyone else's booth is not found."""
    o = booth.occupant
    if o is None or o.status != "held" or o.exhibitor_id != exhibitor_id:
        raise HoldNotFound("no such hold", field="booth_id")
    return release(booth, reason=reasons.hold_given_up(), actor=actor)


def expire(booth: Booth, *, now: datetime) -> Decision | None:
    """A hold past its expiry, or an assigned booth past its payment deadline, goes back:
    -> free. None while the deadline has not passed (or there is none)."""
    o = booth.occupant
    if o is None:
        return None
    if o.status == "held" and o.hold_expires_at is not None and o.hold_expires_at < now:
        return release(booth, reason=reasons.hold_expired(), actor="deadline")
    if o.status == "assigned" and o.payment_due_at is not None and o.payment_due_at < now:
        return release(booth, reason=reasons.payment_deadline_passed(), actor="deadline")
    return None


def block(booth: Booth, *, reason: str, actor: str) -> Decision:
    """free -> blocked. Organizers block a booth for damage or safety; an occupied booth is
    refused, naming it: the organizer moves its exhibitor first (or releases it), so an
    exhibitor never loses a booth, or keeps a blocked one, without being placed again."""
    if booth.blocked:
        raise AlreadyBlocked(f"booth {booth.code} is already blocked", field="booth_id")
    if booth.occupant is not None:
        raise BoothOccupied(
            f"booth {booth.code} is {booth.state} by an exhibitor: move the exhibitor to "
            "another booth (or release it) before blocking it",
            field="booth_id",
        )
    event = BoothBlocked(
        fair_id=booth.fair_id,
        booth_id=booth.booth_id,
        booth_code=booth.code,
        reason=reason,
        actor=actor,
    )
    entry = _entry(
        booth.fair_id, booth.booth_id, "blocked", None, actor, reasons.organizer_note(reason)
    )
    return Decision(replace(booth, blocked=True), (event,), (entry,))


def unblock(booth: Booth, *, reason: str, actor: str) -> Decision:
    """blocked -> free."""
    if not can(booth, "unblock"):
        raise NotBlocked("this booth is not blocked", field="booth_id")
    event = BoothUnblocked(
        fair_id=booth.fair_id,
        booth_id=booth.booth_id,
        booth_code=booth.code,
        reason=reason,
        actor=actor,
    )
    entry = _entry(
        booth.fair_id, booth.booth_id, "unblocked", None, actor, reasons.organizer_note(reason)
    )
    return Decision(replace(booth, blocked=False), (event,), (entry,))


def move(source: Booth, target: Booth | None, *, actor: str, reason: str) -> Relocation:
    """The occupant of ``source`` (in whatever occupied state) moves to the free ``target``
    of the same fair: source -> free, target -> the occupant's state."""
    o = source.occupant
    if o is None:
        raise BoothNotOccupied("nobody occupies that booth", field="booth_id")
    if target is None or target.fair_id != source.fair_id or target.state != "free":
        raise TargetNotFree(TARGET_NOT_FREE, field="to_booth_id")
    after = replace(o, booth_id=target.booth_id, booth_code=target.code, zone=target.zone)
    event = BoothMoved(
        occupancy=snapshot(after),
        reason=reason,
        actor=actor,
        from_booth_id=source.booth_id,
        from_booth_code=source.code,
    )
    return Relocation(
        (replace(source, occupant=None), replace(target, occupant=after)),
        (event,),
        (_audit(after, "moved", actor, reasons.moved(reason, source.code)),),
    )


def swap(a: Booth, b: Booth, *, actor: str, reason: str) -> Relocation:
    """The occupants of two occupied booths of one fair exchange places, each keeping its
    state and deadlines. Events and audit rows come in booth id order."""
    if a.booth_id == b.booth_id or a.occupant is None or b.occupant is None:
        raise SwapNeedsTwoOccupied(
            "swap needs two occupied booths; move an exhibitor to a free one instead",
            field="other_booth_id",
        )
    if a.fair_id != b.fair_id:
        raise DifferentFairs("the booths are at different fairs", field="other_booth_id")

    def arrive(occupant: Occupant, booth: Booth) -> Occupant:
        return replace(occupant, booth_id=booth.booth_id, booth_code=booth.code, zone=booth.zone)

    new_a, new_b = (
        replace(a, occupant=arrive(b.occupant, a)),
        replace(b, occupant=arrive(a.occupant, b)),
    )
    events: list[Event] = []
    audit: list[AuditEntry] = []
    for booth, origin in sorted(((new_a, b), (new_b, a)), key=lambda pair: pair[0].booth_id):
        assert booth.occupant is not None
        events.append(
            BoothMoved(
                occupancy=snapshot(booth.occupant),
                reason=reason,
                actor=actor,
                from_booth_id=origin.booth_id,
                from_booth_code=origin.code,
            )
        )
        audit.append(_audit(booth.occupant, "moved", actor, reasons.swapped(reason, origin.code)))
    return Relocation((new_a, new_b), tuple(events), tuple(audit))


# --- the service's terms -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Terms:
    """How long holds, offers and payment deadlines last, and the corner surcharge: the
    service's settings (a fair's rules do not carry them)."""

    hold_minutes: int = 30
    payment_days: int = 7
    waitlist_offer_minutes: int = 60
    corner_surcharge_percent: int = 10


def check_room(*, have: int, limit: int) -> None:
    """An application holds at most ``limit`` booths."""
    if have >= limit:
        raise BoothLimitReached(
            f"you already have {have} of your {limit} booth(s)", field="booth_id"
        )
