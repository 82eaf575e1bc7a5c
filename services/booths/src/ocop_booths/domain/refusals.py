"""Booths' refusals, one class per refusal: the HTTP status it means (404 or 409), a stable
machine-readable ``code`` clients translate by, and an English ``detail`` for API users
(``ocop_shared.errors``: the body is ``{"detail", "code", "field"}``). No I/O.

The README's "Refusals" table lists every code here with its meaning, checked by
``tests/unit/test_refusals.py``: a client never has to match the English text.
"""

from __future__ import annotations

from ocop_shared.errors import Conflict, DomainError, NotFound

# --- 404: not there, or not the caller's (the same answer) -------------------------------


class FairNotFound(NotFound):
    """No such fair, or not the caller's (booths has not heard of it yet, or another
    organizer runs it)."""

    code = "fair_not_found"


class FloorPlanNotFound(NotFound):
    """The fair has no floor plan yet."""

    code = "floor_plan_not_found"


class BoothNotFound(NotFound):
    """No such booth at the fair in the path (another fair's booth included)."""

    code = "booth_not_found"


class HoldNotFound(NotFound):
    """The caller holds no such booth at the fair (assigned, confirmed or someone else's
    booths are not holds it may give back)."""

    code = "hold_not_found"


class ApplicationNotFound(NotFound):
    """The caller has no application at the fair."""

    code = "application_not_found"


class ExhibitorNotFound(NotFound):
    """The exhibitor named has no application at the fair."""

    code = "exhibitor_not_found"


class StatementNotFound(NotFound):
    """An exhibitor asked for another exhibitor's fee statement."""

    code = "statement_not_found"


class RunNotFound(NotFound):
    """No such allocation run, or one of another organizer's fair."""

    code = "run_not_found"


# --- 409: the record's state does not allow it -------------------------------------------


class BoothTaken(Conflict):
    """Someone else holds, is assigned or has confirmed the booth (a lost race included)."""

    code = "booth_taken"


class BoothIsBlocked(Conflict):
    """The booth is blocked (out of use): it cannot be held, assigned or moved to."""

    code = "booth_blocked"


class BoothOccupied(Conflict):
    """An occupied booth is not blocked: move its exhibitor to another booth (or release
    it) first."""

    code = "booth_occupied"


class AlreadyBlocked(Conflict):
    """The booth is blocked already."""

    code = "already_blocked"


class NotBlocked(Conflict):
    """The booth is not blocked, so it cannot be unblocked."""

    code = "not_blocked"


class BoothNotOccupied(Conflict):
    """Nobody occupies the booth: there is nothing to move or release."""

    code = "booth_not_occupied"


class TargetNotFree(Conflict):
    """A move's target booth is taken or blocked (or was meanwhile)."""

    code = "target_not_free"


class SwapNeedsTwoOccupied(Conflict):
    """A swap needs two occupied booths; to use a free booth, move the exhibitor."""

    code = "swap_needs_two_occupied"


class DifferentFairs(Conflict):
    """Two booths of different fairs cannot be swapped."""

    code = "booths_at_different_fairs"


class NotConfirmable(Conflict):
    """Only a held or assigned booth is confirmed by a payment."""

    code = "booth_not_confirmable"


class BoothLimitReached(Conflict):
    """The application already has as many booths as it may (its request, capped by the
    fair's booths per holder)."""

    code = "booth_limit_reached"


class ApplicationNotApproved(Conflict):
    """The exhibitor's application at the fair is not approved (waitlisted or withdrawn):
    it may not hold booths."""

    code = "application_not_approved"


class NotSelfService(Conflict):
    """The fair allocates booths from ranked choices: an exhibitor submits its choices
    (`PUT /fairs/{fair_id}/choices`) and the organizer's allocation run places it; nobody
    holds a booth."""

    code = "not_self_service"


class NotRanked(Conflict):
    """The fair is self-service (first come): an exhibitor holds a free booth on the plan;
    there are no choices to rank."""

    code = "not_ranked"


class BoothTypeNotRequested(Conflict):
    """A chosen booth is not of the type the application asks for: the allocation could
    never give it."""

    code = "booth_type_not_requested"


class AlreadyPlaced(Conflict):
    """The application has its booths already (held, assigned or confirmed): choices no
    longer change anything."""

    code = "already_placed"


class PlanInUse(Conflict):
    """Booths of the current plan are taken: move or release them before replacing it."""

    code = "plan_in_use"


class NoFloorPlan(Conflict):
    """The allocation engine needs the fair's floor plan: load it first."""

    code = "no_floor_plan"


class RunAlreadyCommitted(Conflict):
    """The allocation run was committed already (a run is committed once)."""

    code = "run_already_committed"


class PaymentAlreadyRecorded(Conflict):
    """A manual payment with this reference and amount is recorded already."""

    code = "payment_already_recorded"


def refusals() -> list[type[DomainError]]:
    """Every refusal of this module, 404s first, in the order they are defined."""
    found = [
        value
        for value in globals().values()
        if isinstance(value, type)
        and issubclass(value, DomainError)
        and value.__module__ == __name__
    ]
    return sorted(found, key=lambda cls: cls.status_code)


def markdown() -> str:
    """The README's "Refusals" table."""
    rows = ["| code | status | meaning |", "|---|---|---|"]
    for cls in refusals():
        meaning = " ".join((cls.__doc__ or "").split())
        rows.append(f"| `{cls.code}` | {cls.status_code} | {meaning} |")
    return "\n".join(rows)
