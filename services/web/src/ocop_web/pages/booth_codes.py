"""What the booths service says, in the reader's language, by its stable codes: its 404/409
refusals (``code``: booths' ``domain/refusals.py``) and its reasons (a code and parameters:
the allocation engine's placements and waitlist, a booth's history, the bank-statement lines
no payment was found for; booths' ``domain/reasons.py``). One translatable template per code;
a code this catalogue does not know (a newer booths) is shown as the service wrote it.

Refusals carry no parameters: the page that asked names what it asked about (``code``: the
booth's code, ``state``: its state in words)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ocop_web.api import ApiError
from ocop_web.i18n import N_, gettext, money

# --- refusals (404/409 ``code``) ----------------------------------------------------------

REFUSALS: dict[str, str] = {
    "fair_not_found": N_(
        "The booths service has not heard of this fair yet. Try again in a minute"
    ),
    "floor_plan_not_found": N_("This fair has no floor plan yet."),
    "booth_not_found": N_("That booth is not on this fair's plan"),
    "hold_not_found": N_(
        "You do not hold this booth any more: the hold may have ended, or the booth is paid for"
    ),
    "application_not_found": N_("You can hold a booth once your application is approved"),
    "exhibitor_not_found": N_("This exhibitor has no application at this fair"),
    "statement_not_found": N_("This fee statement is not yours"),
    "run_not_found": N_("This allocation proposal no longer exists"),
    "booth_taken": N_("Someone else took this booth a moment ago. Choose another one"),
    "booth_blocked": N_("Booth %(code)s is out of use (blocked). Choose another one"),
    "booth_occupied": N_(
        "Booth %(code)s cannot be blocked: an exhibitor has it (%(state)s). Move the exhibitor to another booth first"
    ),
    "already_blocked": N_("Booth %(code)s is already blocked"),
    "not_blocked": N_("This booth is not blocked"),
    "booth_not_occupied": N_("No exhibitor has this booth"),
    "target_not_free": N_("Choose a free booth of this fair: that one is taken or blocked"),
    "swap_needs_two_occupied": N_(
        "Both booths must have an exhibitor to swap them. To use a free booth, move the exhibitor instead"
    ),
    "booths_at_different_fairs": N_("Both booths must be at this fair to swap them"),
    "booth_not_confirmable": N_("Only a held or assigned booth is confirmed by a payment"),
    "booth_limit_reached": N_("You already have as many booths as your application allows"),
    "application_not_approved": N_("You can hold a booth once your application is approved"),
    # allocation modes: a ranked fair takes booth choices, a self-service fair holds
    "not_self_service": N_(
        "At this fair booths are not held on the plan: rank the booths you want, and the organizer places exhibitors"
    ),
    "not_ranked": N_(
        "At this fair booths are not ranked: hold a free booth on the plan (first come, first served)"
    ),
    "booth_type_not_requested": N_(
        "Booth %(code)s is not of the kind your application asks for: choose a booth of that kind"
    ),
    "already_placed": N_("You have your booths already: choices no longer change anything"),
    "plan_in_use": N_(
        "Exhibitors already have booths on the current plan: move or release them before replacing it"
    ),
    "no_floor_plan": N_("Load the fair's floor plan first"),
    "run_already_committed": N_("This allocation was already committed"),
    "payment_already_recorded": N_(
        "This payment (the same reference and amount) is already recorded"
    ),
}
REFUSED = N_("The booths service refused this: %(detail)s")


def _said(template: str, values: Mapping[str, Any]) -> str | None:
    try:
        return gettext(template) % dict(values)
    except (KeyError, ValueError, TypeError):
        return None


def refusal_code(error: ApiError) -> str | None:
    body = error.body if isinstance(error.body, dict) else {}
    code = body.get("code")
    return code if isinstance(code, str) else None


def refusal_text(error: ApiError, **values: Any) -> str:
    """Booths' refusal in the reader's language, by its code; an unknown code (or one whose
    template needs what the page did not give) as the service wrote it."""
    body = error.body if isinstance(error.body, dict) else {}
    detail = body.get("detail")
    template = REFUSALS.get(refusal_code(error) or "")
    if template is not None:
        said = _said(template, values)
        if said is not None:
            return said
    return gettext(REFUSED) % {"detail": str(detail if isinstance(detail, str) else error.status)}


# --- reasons (``{"code", ...params}`` or ``reason_code`` + ``reason_params``) -------------

REASONS: dict[str, str] = {
    # the allocation engine: a placement's pieces
    "queue_place": N_(
        "%(star)s★, place %(place)s of %(of)s in the queue (by stars, then time of application)"
    ),
    "placed_requested_zone": N_("zone %(zone)s, as asked"),
    "placed_group_zone": N_("zone %(zone)s is for product group %(group)s"),
    "placed_shared_groups_zone": N_("zone %(zone)s has the same product groups"),
    "booths_side_by_side": N_("%(count)s %(type)s booths, side by side: %(codes)s"),
    "booths_apart": N_(
        "%(count)s %(type)s booths, not side by side (no such run was left): %(codes)s"
    ),
    "one_booth": N_("%(count)s %(type)s booth: %(codes)s"),
    "placed_choice": N_("its choice number %(rank)s, booth %(booth)s"),
    "choices_unavailable": N_(
        "none of its %(count)s choices was left (taken by exhibitors before it in the queue, blocked, or of another kind)"
    ),
    # the allocation engine: why an application waits
    "over_booth_limit": N_(
        "%(star)s★, place %(place)s in the queue: asks for %(count)s booths, above the fair's limit of %(limit)s"
    ),
    "no_room_left": N_(
        "%(star)s★, place %(place)s in the queue: no zone had %(count)s %(type)s booths left after the applications before it"
    ),
    # a booth's history
    "self_service_hold": N_("Held by the exhibitor on the plan"),
    "waitlist_offer": N_("Offered from the waitlist (rank %(rank)s)"),
    "allocated": N_("Allocation: %(why)s"),
    "paid": N_("Paid"),
    "hold_given_up": N_("The exhibitor gave the hold up"),
    "hold_expired": N_("The hold expired"),
    "payment_deadline_passed": N_("The payment deadline passed"),
    "application_withdrawn": N_("The exhibitor withdrew the application"),
    "no_admitted_product": N_(
        "No product of the exhibitor may be shown any more: a certificate %(certificate)s"
    ),
    "moved": N_("%(note)s (moved here from booth %(from_booth)s)"),
    "swapped": N_("%(note)s (swapped with booth %(with_booth)s)"),
    # a bank-statement line no payment was found for
    "amount_not_whole": N_("The amount is not a whole number of đồng"),
    "amount_above_limit": N_("The amount is above %(limit)s"),
    "no_payment_reference": N_("The description has no payment reference of this fair"),
    "already_recorded": N_("This transfer has paid already"),
}
BOOTH_TYPE_WORDS: dict[str, str] = {
    "standard": N_("standard"),
    "corner": N_("corner"),
    "premium": N_("premium"),
    "outdoor": N_("outdoor"),
}
CERTIFICATE_ENDS: dict[str, str] = {"revoked": N_("was revoked"), "expired": N_("expired")}


def _values(params: Mapping[str, Any], groups: Callable[[int], str] | None) -> dict[str, Any]:
    """A reason's parameters as the templates show them."""
    values = dict(params)
    if "booth_type" in values:
        kind = str(values["booth_type"])
        values["type"] = gettext(BOOTH_TYPE_WORDS[kind]) if kind in BOOTH_TYPE_WORDS else kind
    if isinstance(values.get("booths"), list):
        values["codes"] = ", ".join(str(c) for c in values["booths"])
    if "group" in values and groups is not None:
        values["group"] = groups(int(values["group"]))
    if "certificate" in values:
        ended = str(values["certificate"])
        values["certificate"] = (
            gettext(CERTIFICATE_ENDS[ended]) if ended in CERTIFICATE_ENDS else ended
        )
    if isinstance(values.get("reasons"), list):
        why = _pieces(values["reasons"], groups)
        if why is not None:
            values["why"] = why
    return values


def _pieces(pieces: Sequence[Mapping[str, Any]], groups: Callable[[int], str] | None) -> str | None:
    """A placement's pieces joined, each by its code; None when one is unknown or none."""
    said = []
    for piece in pieces:
        code = piece.get("code") if isinstance(piece, Mapping) else None
        template = REASONS.get(str(code)) if code else None
        text = _said(template, _values(piece, groups)) if template else None
        if text is None:
            return None
        said.append(text)
    return "; ".join(said) if said else None


def reason_text(
    code: str | None,
    params: Mapping[str, Any] | None,
    text: str,
    groups: Callable[[int], str] | None = None,
) -> str:
    """One reason in the reader's language; the service's ``text`` when its code is unknown
    (or none: free text written before booths kept codes)."""
    params = params or {}
    if code == "organizer_note":  # the organizer's own words, as written
        return str(params.get("note", text))
    if code == "amount_above_limit" and isinstance(params.get("limit"), int):
        params = {**params, "limit": money(params["limit"])}  # a bank line's bound, in đồng
    template = REASONS.get(code or "")
    said = _said(template, _values(params, groups)) if template else None
    if said is None:
        return text
    return said[:1].upper() + said[1:]


def placement_text(
    pieces: Sequence[Mapping[str, Any]],
    explanation: str,
    groups: Callable[[int], str] | None = None,
) -> str:
    """A placement's reasons (its pieces, in order) in the reader's language; its English
    ``explanation`` when a piece's code is unknown or there are no pieces."""
    joined = _pieces(pieces, groups)
    if joined is None:
        return explanation
    return joined[:1].upper() + joined[1:]
